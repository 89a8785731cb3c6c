// A host channel's COM from its Touchstone files (`lightlane com`, and the scenario's
// channel.com_set): the files read as differential 2-ports, checked, and the figures printed.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "host/link/com_standard.hpp"
#include "host/scenario/scenario.hpp"

namespace ll {

struct ComFiles {
  std::string thru;
  std::vector<std::string> fext, next;
  PortOrder order = PortOrder::in12_out34;
};

// Reads the files (4-port with `order`'s pairs, or 2-port). A file that does not reach the set's
// Nyquist frequency, or a thru with no through path at its lowest frequency (a swapped port
// order), is refused with TouchstoneError naming it; `what` names the key or option that gave
// the files, for the message. `warnings` receives what the reader said (passivity enforced) and
// a thru whose response is not causal (host/link/channel_figures.hpp).
std::vector<ComChannel> load_com_channels(const ComFiles& files, const ComSet& set,
                                          const std::string& what,
                                          std::vector<std::string>& warnings);

// The figures per package case, the verdict against the set's threshold and the warnings, as
// markdown.
void write_com_report(const ComSet& set, const ComFiles& files, const ComResult& r,
                      const std::vector<std::string>& warnings, std::ostream& out);

}  // namespace ll
