#include "ingest/flatten.h"

#include <fmt/format.h>

#include <algorithm>
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

// One depth-first walk. The flattened name and the key path of the current
// position are kept as stacks, so a leaf costs one copy of its name.
class Flattener {
 public:
  Flattener(std::string_view path, std::string_view defaults_path, std::vector<Property>& out)
      : path_(path), defaults_path_(defaults_path), out_(out) {
    assert(out_.empty());
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
  // Where a flattened name came from: the index of its Property in `out_`,
  // and whether `defaults` gave it (then the object may still override it).
  struct Origin {
    size_t index;
    bool from_defaults;
  };

  Status Visit(std::string_view key, const element& value, const object* defaults,
               bool from_defaults) {
    keys_.push_back(key);
    const size_t name_size = name_.size();
    Status status;
    if (keys_.size() > kMaxPropertyDepth) {
      status =
          Error(from_defaults, fmt::format("nested more than {} levels deep", kMaxPropertyDepth));
    } else if (!AppendSnakeCase(key, name_)) {
      status = Error(from_defaults, fmt::format("property name '{}' has no letter or digit", key));
    } else if (value.is_object()) {
      status = Walk(value.get_object().value_unsafe(), defaults, from_defaults);
    } else {
      status = AddLeaf(key, value, from_defaults);
    }
    name_.resize(name_size);
    keys_.pop_back();
    return status;
  }

  Status AddLeaf(std::string_view key, const element& value, bool from_defaults) {
    const auto [it, inserted] = origins_.try_emplace(name_, Origin{out_.size(), from_defaults});
    if (!inserted) {
      Origin& earlier = it->second;
      if (from_defaults && !earlier.from_defaults) return Status::Ok();  // the object wins
      if (!from_defaults && earlier.from_defaults) {
        out_[earlier.index] = MakeProperty(value);
        earlier.from_defaults = false;
        return Status::Ok();
      }
      return Error(
          from_defaults,
          fmt::format("'{}' is named '{}' once flattened, like another field", key, name_));
    }
    out_.push_back(MakeProperty(value));
    return Status::Ok();
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
    for (const std::string_view key : keys_) {
      field += '.';
      field += key;
    }
    return Status::BadRequest(std::move(message), std::move(field));
  }

  const std::string_view path_;
  const std::string_view defaults_path_;
  std::vector<Property>& out_;
  std::string name_;                    // the current position's flattened name
  std::vector<std::string_view> keys_;  // the current position's keys, as sent
  std::unordered_map<std::string, Origin> origins_;
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
