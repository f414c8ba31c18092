#pragma once

#include <cstdint>
#include <vector>

#include "store/scan.h"

namespace cdp {

// Per-thread buffers of FilterSelection, reused from block to block.
struct FilterScratch {
  std::vector<uint8_t> dictionary_matches;
};

// Narrows `selection` (rows of one block, ascending) to the rows whose value
// in `column` satisfies `predicate`, by the rules of scan.h (the same answers
// as SatisfiesPredicate). A string predicate is evaluated once per dictionary
// entry and then looked up by code, so its cost per row does not depend on
// the strings' length.
void FilterSelection(const ColumnData& column, const Predicate& predicate,
                     std::vector<uint32_t>& selection, FilterScratch& scratch);

}  // namespace cdp
