// The COM parameter sets of the newer standards, a file each (host/link/com_sets_ck.cpp,
// com_sets_dj.cpp), for com_sets.cpp's list.
#pragma once

#include <vector>

#include "host/link/com_standard.hpp"

namespace ll::com_detail {

std::vector<ComSet> ieee_8023ck_sets();
std::vector<ComSet> ieee_8023dj_sets();

}  // namespace ll::com_detail
