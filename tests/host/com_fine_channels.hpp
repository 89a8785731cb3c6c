// An example host channel's 10 MHz version (scripts/make_host_channels.py --step-mhz 10, which
// the ctest fixture make_fine_host_channels runs into LIGHTLANE_FINE_CHANNELS), read for a COM
// set: the COM tests compare with PyChOpMarg there (tests/data/com/pychopmarg_*/README.md).
#pragma once

#include <string>
#include <vector>

#include "host/link/com_report.hpp"
#include "host/link/com_standard.hpp"

inline std::vector<ll::ComChannel> fine_host_channel(const std::string& name,
                                                     const ll::ComSet& set) {
  std::vector<std::string> warnings;
  return ll::load_com_channels({std::string(LIGHTLANE_FINE_CHANNELS) + "/" + name, {}, {}}, set,
                               "test", warnings);
}

// An 802.3dj set without its floating FFE taps and its quantiser, as the fixed-tap reference runs
// took it (tests/data/com/pychopmarg_dj/README.md; tests/host/test_com_dj_receiver.cpp has both).
inline ll::ComSet fixed_taps_only(ll::ComSet s) {
  s.rx_ffe_floating.groups = 0;
  s.quantiser_bits = 0;
  return s;
}
