// Numbers as messages and tables print them (declared in host/scenario/scenario.hpp).
#include <iomanip>
#include <sstream>

#include "host/scenario/scenario.hpp"

namespace ll {

std::string format_number(double v, int significant_digits) {
  std::ostringstream os;
  os.precision(significant_digits);
  os << v;
  return os.str();
}

std::string format_fixed(double v, int decimals) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(decimals) << v;
  return os.str();
}

}  // namespace ll
