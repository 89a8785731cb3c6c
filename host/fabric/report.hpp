// The fabric roll-up as one table: a row per quantity, a column per port design (the topology's
// rows repeat in every column, so each column and the CSV stand alone). Printed as markdown to
// stdout; with --csv the same table as CSV (RFC 4180 quoting).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "host/fabric/rollup.hpp"

namespace ll::fabric {

struct Table {
  std::vector<std::string> header;             // "quantity", "unit", then one per design
  std::vector<std::vector<std::string>> rows;  // the same width as the header
};

Table fabric_table(const FabricSpec& spec, const std::vector<DesignRollup>& rollups);
void write_markdown(const Table& table, std::ostream& out);
void write_csv(const Table& table, std::ostream& out);

}  // namespace ll::fabric
