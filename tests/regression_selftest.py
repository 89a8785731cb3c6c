#!/usr/bin/env python3
"""scripts/regression.py can fail (ctest `regression_selftest`): on two cases (serdes_200g_cpo_stress for
COM, lane_200g_pam4 for a finite TDECQ) against altered copies of their golden files, each
alteration must fail the check it targets and the unaltered copy must pass, exactly and (its
build renamed) statistically.

Usage: regression_selftest.py LIGHTLANE SOURCE_DIR
"""

import json
import os
import subprocess
import sys
import tempfile



def main():
    lightlane, source = sys.argv[1], sys.argv[2]
    script = os.path.join(source, "scripts", "regression.py")
    build = subprocess.run([sys.executable, "-c",
                            f"import sys; sys.path.insert(0, {os.path.dirname(script)!r}); "
                            "import regression; print(regression.build_identity())"],
                           capture_output=True, text=True).stdout.strip()

    def check(label, alter, expect_pass, expect_text, case="serdes_200g_cpo_stress"):
        golden = os.path.join(source, "tests", "golden", "regression", f"{case}.cpu.json")
        d = json.load(open(golden))
        d["build"] = build  # this machine's: exact unless the alteration renames it
        alter(d)
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, f"{case}.cpu.json"), "w") as f:
                json.dump(d, f)
            r = subprocess.run([sys.executable, script, lightlane, "--golden", tmp,
                                "--only", case], capture_output=True, text=True)
        ok = (r.returncode == 0) == expect_pass and expect_text in r.stdout
        print(f"{'ok  ' if ok else 'FAIL'} {label}: exit {r.returncode}: {r.stdout.splitlines()[0]}")
        return ok

    def renamed(d):
        d["build"] = "another build"

    def count_off(d):
        d["bit_errors"][0] += 1

    def interval_off(d):
        renamed(d)
        d["ber_lo"][0], d["ber_hi"][0] = 0.4, 0.5

    def eye_off(d):
        renamed(d)
        d["eye_coarse"][0] = [[0.0] * 4 for _ in range(16)]
        d["eye_coarse"][0][0][0] = 1.0

    def com_off(d):
        d["com_db"][0] += 1e-3

    def tdecq_off(d):
        renamed(d)
        d["tdecq_db"][0] += 0.01

    results = [
        check("the golden as made", lambda d: None, True, "counts and eyes exact"),
        check("another build", renamed, True, "statistical"),
        check("one bit error more", count_off, False, "bit_errors[0]"),
        check("a BER interval elsewhere (another build)", interval_off, False, "BER[0] interval"),
        check("an eye elsewhere (another build)", eye_off, False, "total variation"),
        check("COM off by 1e-3 dB", com_off, False, "com_db[0]"),
        check("TDECQ off by 0.01 dB (another build)", tdecq_off, False, "tdecq_db[0]",
              case="lane_200g_pam4"),
    ]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
