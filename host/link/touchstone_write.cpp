// Writing a Touchstone file (host/link/touchstone.hpp): the tests' and tools' channels.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <complex>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "host/link/touchstone.hpp"
#include "physics/config.hpp"

namespace ll {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

void write_touchstone(const std::string& path, int ports, const std::vector<double>& frequency_hz,
                      const std::vector<std::complex<double>>& s, double reference_ohm,
                      const std::string& format) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  const std::string f = lower(format);
  out << "! written by lightlane\n# Hz S " << format << " R " << reference_ohm << "\n";
  char buf[64];
  auto put = [&](std::complex<double> v) {
    if (f == "ri")
      std::snprintf(buf, sizeof buf, " %.12e %.12e", v.real(), v.imag());
    else if (f == "ma")
      std::snprintf(buf, sizeof buf, " %.12e %.12e", std::abs(v), std::arg(v) * 180.0 / kPi);
    else
      std::snprintf(buf, sizeof buf, " %.12e %.12e",
                    20.0 * std::log10(std::max(std::abs(v), 1e-30)),  // an exact 0: -600 dB
                    std::arg(v) * 180.0 / kPi);
    out << buf;
  };
  const std::size_t n = static_cast<std::size_t>(ports);
  for (std::size_t k = 0; k < frequency_hz.size(); ++k) {
    std::snprintf(buf, sizeof buf, "%.12e", frequency_hz[k]);
    out << buf;
    const std::complex<double>* m = s.data() + k * n * n;
    if (n == 2) {
      put(m[0]);
      put(m[2]);
      put(m[1]);
      put(m[3]);
      out << "\n";
      continue;
    }
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t c = 0; c < n; ++c) put(m[r * n + c]);
      out << "\n";
    }
  }
}

}  // namespace ll
