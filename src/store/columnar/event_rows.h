#pragma once

#include "model/event.h"
#include "store/columnar/column_table.h"

namespace cdp::columnar {

// Adds `event` as a row of `table`, in the columns event_columns.h names,
// with the same values ColumnValueOf gives (nulls left unset).
void AppendEventRow(const Event& event, ColumnTable& table);

}  // namespace cdp::columnar
