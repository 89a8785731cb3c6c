// Touchstone (.sNp) files, versions 1.x and 2.0: the S-parameters of a measured or simulated
// electrical channel, read into frequency-ordered complex matrices, with the mixed-mode
// differential through response (SDD21) of a 4-port.
//
// What the reader accepts (Touchstone 2.0 specification, IBIS Open Forum 2009):
//   - comments from '!' to the end of the line; keywords and options in any case;
//   - the option line `# <Hz|kHz|MHz|GHz> S <DB|MA|RI> R <ohms>` (defaults GHz, S, MA, 50 ohm;
//     only S-parameters: Y, Z, H and G files are refused);
//   - version 1: the port count from the file name's .sNp; a 2-port record is f N11 N21 N12 N22,
//     an N-port (N >= 3) record is f and the matrix row by row, rows free to wrap lines;
//   - version 2: [Version] 2.0, [Number of Ports], [Two-Port Data Order] (12_21 or 21_12),
//     [Number of Frequencies], [Reference], [Matrix Format] (Full, Lower or Upper),
//     [Network Data] ... [End]; [Noise Data] and information blocks are skipped.
// Every frequency's record begins on a new line (the specification says so); a record that ends
// mid-line, a line that ends a file with a record half read, frequencies that do not increase,
// a number that does not parse, a wrong option line or a port count that disagrees with the
// file's name are errors naming the file and line.
//
// Passivity: a passive network's S matrix has no singular value above 1. Where the largest one
// exceeds 1 + 1e-6 (measurement noise, a de-embedding artefact) the reader scales that
// frequency's matrix down to 1, and says so in `warnings`; the channel then neither gains
// energy nor rings up in the simulation.
#pragma once

#include <complex>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "host/scenario/scenario.hpp"
#include "physics/com_network.hpp"

namespace ll {

// A malformed file: the message starts with "file:line: ". Bad input, so exit code 2.
class TouchstoneError : public ScenarioError {
 public:
  using ScenarioError::ScenarioError;
};

struct TouchstoneData {
  std::string path;
  int ports = 0;
  double reference_ohm = 50.0;
  std::vector<double> frequency_hz;     // strictly increasing
  std::vector<std::complex<double>> s;  // [frequency][row][column], 0-based ports
  std::vector<std::string> warnings;    // passivity enforcement, ignored sections
  double max_singular_value = 0.0;      // before enforcement (where all are passive: a bound <= 1)

  std::complex<double> at(std::size_t k, int row, int column) const {
    return s[(k * ports + row) * ports + column];
  }
};

// N from a name ending in .sNp (case-insensitive); 0 when the name does not say.
int touchstone_ports_from_name(const std::string& path);

// Reads a file (port count from its name for version 1). Throws TouchstoneError.
TouchstoneData read_touchstone(const std::string& path);
// Parses a stream; `name` is used in messages, `ports_from_name` as read_touchstone passes it.
TouchstoneData parse_touchstone(std::istream& in, const std::string& name, int ports_from_name);
TouchstoneData parse_touchstone(std::string_view text, const std::string& name,
                                int ports_from_name);

// The differential-mode through response of a 4-port at every frequency (PortOrder in
// host/scenario/scenario.hpp names the pairs):
//     SDD21 = (S[p+ -> q+] - S[p- -> q+] - S[p+ -> q-] + S[p- -> q-]) / 2,
// (p+, p-) the input pair and (q+, q-) the output pair. A 2-port gives its S21.
std::vector<std::complex<double>> through_response(const TouchstoneData& d, PortOrder order);
// The whole differential-mode block (SDD11, SDD12, SDD21, SDD22) of a 4-port, port 1 the input
// pair (referenced to 2 R_0); a 2-port's own S-parameters.
std::vector<SParams2> differential_two_port(const TouchstoneData& d, PortOrder order);

// Writes a Touchstone 1.1 file (RI, Hz) of `ports` ports: for tests and synthetic channels.
void write_touchstone(const std::string& path, int ports, const std::vector<double>& frequency_hz,
                      const std::vector<std::complex<double>>& s, double reference_ohm = 50.0,
                      const std::string& format = "RI");

}  // namespace ll
