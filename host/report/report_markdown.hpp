// `lightlane report OUT.h5`: the port report as markdown on stdout (README.md, "Port report").
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <vector>

#include "host/report/report_file.hpp"

namespace ll::report {

struct ReportOptions {
  std::optional<std::size_t> worst;    // --worst N: only the N points of smallest margin
  std::vector<int> bank_rings{8, 16};  // --bank-rings N (repeatable): a 1.6T and a 3.2T bus
};

void write_markdown(const ReportFile& file, const ReportOptions& options, std::ostream& out);

}  // namespace ll::report
