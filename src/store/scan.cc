#include "store/scan.h"

namespace cdp {

std::string_view ColumnKindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kString:
      return "string";
    case ColumnKind::kTime:
      return "time";
    case ColumnKind::kNumber:
      return "number";
    case ColumnKind::kBoolean:
      return "boolean";
  }
  return "";
}

ColumnKind ColumnKindOf(PropertyType type) {
  switch (type) {
    case PropertyType::kString:
      return ColumnKind::kString;
    case PropertyType::kNumber:
      return ColumnKind::kNumber;
    case PropertyType::kBoolean:
      return ColumnKind::kBoolean;
    case PropertyType::kTimestamp:
      return ColumnKind::kTime;
  }
  return ColumnKind::kString;
}

}  // namespace cdp
