"""Helpers shared by the lightlane plot scripts."""

import os


def save_figure(fig, prefix):
    """Writes PREFIX.png (150 dpi) and PREFIX.svg, creating the folder; closes the figure."""
    import matplotlib.pyplot as plt

    directory = os.path.dirname(prefix)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fig.savefig(prefix + ".png", dpi=150)
    fig.savefig(prefix + ".svg")
    plt.close(fig)
    return [prefix + ".png", prefix + ".svg"]
