#include "ingest/flatten.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <unordered_map>

#include "core/iso8601.h"
#include "ingest/property_name.h"

namespace cdp::ingest {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

// The leaves a property list gets room for up front (in one allocation small
// enough for malloc's per-thread cache); most objects have about as many.
constexpr size_t kExpectedLeaves = 8;

bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Whether `key` is already in snake_case: a lowercase letter, then lowercase
// letters, digits and single underscores, not ending with one. Most keys
// are; AppendSnakeCase would copy such a key unchanged (after a '_' when
// nested), so the flattener appends it directly.
bool IsSnakeCase(std::string_view key) {
  if (key.empty() || !(key.front() >= 'a' && key.front() <= 'z') || key.back() == '_') {
    return false;
  }
  for (size_t i = 1; i < key.size(); ++i) {
    if (!IsLowerOrDigit(key[i]) && (key[i] != '_' || key[i - 1] == '_')) return false;
  }
  return true;
}

// AppendSnakeCase, with the fast path above.
bool AppendName(std::string_view key, std::string& name) {
  if (!IsSnakeCase(key)) return AppendSnakeCase(key, name);
  if (!name.empty()) name += '_';
  name += key;
  return true;
}

// One depth-first walk. The flattened name and the key path of the current
// position are kept as stacks, so a leaf costs one copy of its name.
class Flattener {
 public:
  Flattener(std::string_view path, std::string_view defaults_path, std::vector<Property>& out)
      : path_(path), defaults_path_(defaults_path), out_(out) {
    assert(out_.empty());
    out_.reserve(kExpectedLeaves);
  }

  // Walks `node`, then the keys of `defaults` (if any) that `node` lacks.
  // `from_defaults`: `node` itself belongs to the defaults.
  Status Walk(const object& node, const object* defaults, bool from_defaults,
              std::span<const std::string_view> skip_keys = {}) {
    for (const auto [key, value] : node) {
      if (std::find(skip_keys.begin(), skip_keys.end(), key) != skip_keys.end()) continue;
      object default_child;
      const bool merge_child =
          defaults != nullptr && value.is_object() &&
          defaults->at_key(key).get_object().get(default_child) == simdjson::SUCCESS;
      CDP_RETURN_IF_ERROR(Visit(key, value, merge_child ? &default_child : nullptr, from_defaults));
    }
    if (defaults == nullptr) return Status::Ok();
    for (const auto [key, value] : *defaults) {
      if (node.at_key(key).error() == simdjson::SUCCESS) continue;  // merged above, or shadowed
      CDP_RETURN_IF_ERROR(Visit(key, value, nullptr, /*from_defaults=*/true));
    }
    return Status::Ok();
  }

 private:
  static constexpr size_t kNotFound = static_cast<size_t>(-1);
  static constexpr size_t kMaxScannedLeaves = 32;

  Status Visit(std::string_view key, const element& value, const object* defaults,
               bool from_defaults) {
    keys_[depth_++] = key;
    const size_t name_size = name_.size();
    Status status;
    if (depth_ > kMaxPropertyDepth) {
      status =
          Error(from_defaults, fmt::format("nested more than {} levels deep", kMaxPropertyDepth));
    } else if (!AppendName(key, name_)) {
      status = Error(from_defaults, fmt::format("property name '{}' has no letter or digit", key));
    } else if (value.is_object()) {
      status = Walk(value.get_object().value_unsafe(), defaults, from_defaults);
    } else {
      status = AddLeaf(key, value, from_defaults);
    }
    name_.resize(name_size);
    --depth_;
    return status;
  }

  Status AddLeaf(std::string_view key, const element& value, bool from_defaults) {
    if (const size_t earlier = FindLeaf(name_); earlier != kNotFound) {
      const bool earlier_from_defaults = from_defaults_[earlier];
      if (from_defaults && !earlier_from_defaults) return Status::Ok();  // the object wins
      if (!from_defaults && earlier_from_defaults) {
        out_[earlier] = MakeProperty(value);
        from_defaults_[earlier] = false;
        return Status::Ok();
      }
      return Error(
          from_defaults,
          fmt::format("'{}' is named '{}' once flattened, like another field", key, name_));
    }
    out_.push_back(MakeProperty(value));
    from_defaults_.push_back(from_defaults);
    if (!by_name_.empty()) by_name_.emplace(name_, out_.size() - 1);
    return Status::Ok();
  }

  // The index in `out_` of the leaf named `name`, or kNotFound. Most objects
  // have a handful of leaves: a scan of them costs less than hashing the name
  // and allocates nothing. Past kMaxScannedLeaves, a hash map takes over.
  size_t FindLeaf(const std::string& name) {
    if (out_.size() <= kMaxScannedLeaves) {
      for (size_t i = 0; i < out_.size(); ++i) {
        if (out_[i].name == name) return i;
      }
      return kNotFound;
    }
    if (by_name_.empty()) {
      for (size_t i = 0; i < out_.size(); ++i) by_name_.emplace(out_[i].name, i);
    }
    const auto it = by_name_.find(name);
    return it == by_name_.end() ? kNotFound : it->second;
  }

  Property MakeProperty(const element& value) const {
    Property property{name_, std::monostate{}, std::nullopt};
    switch (value.type()) {
      case element_type::STRING: {
        const std::string_view text = value.get_string().value_unsafe();
        property.timestamp = ParseIso8601DateTime(text);
        property.value = std::string(text);
        break;
      }
      case element_type::INT64:
        property.value = static_cast<double>(value.get_int64().value_unsafe());
        break;
      case element_type::UINT64:
        property.value = static_cast<double>(value.get_uint64().value_unsafe());
        break;
      case element_type::DOUBLE:
        property.value = value.get_double().value_unsafe();
        break;
      case element_type::BOOL:
        property.value = value.get_bool().value_unsafe();
        break;
      case element_type::ARRAY:
        property.value = simdjson::minify(value);
        break;
      case element_type::NULL_VALUE:
        break;
      case element_type::OBJECT:
        assert(false && "objects are walked, not leaves");
        break;
    }
    return property;
  }

  // A BadRequest on the current key's path as sent.
  Status Error(bool from_defaults, std::string message) const {
    std::string field(from_defaults ? defaults_path_ : path_);
    for (size_t i = 0; i < depth_; ++i) {
      const std::string_view key = keys_[i];
      field += '.';
      field += key;
    }
    return Status::BadRequest(std::move(message), std::move(field));
  }

  const std::string_view path_;
  const std::string_view defaults_path_;
  std::vector<Property>& out_;
  std::string name_;  // the current position's flattened name
  // The current position's keys, as sent: keys_[0, depth_). One past the
  // maximum depth, so that Visit can refuse the key that goes too deep.
  std::array<std::string_view, kMaxPropertyDepth + 1> keys_;
  size_t depth_ = 0;
  // Per leaf of `out_`: whether `defaults` gave it (then the object may still
  // override it).
  std::vector<bool> from_defaults_;
  // Flattened name -> index in `out_`, once there are more than
  // kMaxScannedLeaves leaves (empty before).
  std::unordered_map<std::string, size_t> by_name_;
};

}  // namespace

Status FlattenObject(const object& node, std::string_view path, std::vector<Property>& out,
                     std::span<const std::string_view> skip_keys) {
  return Flattener(path, path, out).Walk(node, nullptr, /*from_defaults=*/false, skip_keys);
}

Status FlattenMerged(const object& node, std::string_view path, const object& defaults,
                     std::string_view defaults_path, std::vector<Property>& out) {
  return Flattener(path, defaults_path, out).Walk(node, &defaults, /*from_defaults=*/false);
}

}  // namespace cdp::ingest
