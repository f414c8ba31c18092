#include "query/trends/trends_result.h"

#include <fmt/format.h>

#include <cmath>

#include "core/json_writer.h"

namespace cdp::query {

namespace {

void WriteBuckets(JsonWriter& json, const TimeBuckets& buckets) {
  json.BeginArray();
  for (size_t bucket = 0; bucket < buckets.size(); ++bucket) json.String(buckets.Label(bucket));
  json.EndArray();
}

void WriteValue(JsonWriter& json, const std::optional<double>& value, bool integer) {
  if (!value) {
    json.Null();
  } else if (integer) {
    json.Int(std::llround(*value));
  } else {
    json.Double(*value);
  }
}

// The keys an entry shares with the formula's: its group and its period.
void WriteGroupAndPeriod(JsonWriter& json, const TrendsRequest& request, const TrendsGroup& group,
                         size_t period) {
  if (request.breakdown) {
    json.Key("breakdown_value");
    if (group.other) {
      json.String("other");
    } else if (group.value) {
      json.String(*group.value);
    } else {
      json.Null();
    }
    json.Key("breakdown_other").Bool(group.other);
  }
  if (request.compare) json.Key("compare").String(period == 0 ? "current" : "previous");
}

void WriteValues(JsonWriter& json, const TrendsValues& values, bool integer, uint64_t& points) {
  json.Key("values").BeginArray();
  for (const std::optional<double>& value : values.values) WriteValue(json, value, integer);
  json.EndArray();
  json.Key("total");
  WriteValue(json, values.total, integer);
  points += values.values.size();
}

}  // namespace

std::optional<std::string> BreakdownText(const ScalarValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<double>(&value)) return fmt::format("{}", *number);
  if (const auto* boolean = std::get_if<bool>(&value)) {
    return std::string(*boolean ? "true" : "false");
  }
  if (const auto* time = std::get_if<TimeValue>(&value)) {
    return FormatIso8601(FromUnixMicros(time->micros));
  }
  return std::nullopt;
}

void AddFormulaValues(const TrendsRequest& request, TrendsResult& result) {
  result.formula.clear();
  if (!request.formula) return;
  std::vector<std::optional<double>> operands(request.series.size());
  for (const auto& period_series : result.series) {
    std::vector<TrendsValues>& period_formula = result.formula.emplace_back();
    for (size_t group = 0; group < result.groups.size(); ++group) {
      TrendsValues& formula = period_formula.emplace_back();
      const size_t buckets = period_series.front()[group].values.size();
      for (size_t bucket = 0; bucket < buckets; ++bucket) {
        for (size_t series = 0; series < operands.size(); ++series) {
          operands[series] = period_series[series][group].values[bucket];
        }
        formula.values.push_back(request.formula->Evaluate(operands));
      }
      for (size_t series = 0; series < operands.size(); ++series) {
        operands[series] = period_series[series][group].total;
      }
      formula.total = request.formula->Evaluate(operands);
    }
  }
}

std::string WriteTrendsResult(const TrendsRequest& request, const TrendsResult& result,
                              uint64_t& points) {
  points = 0;
  JsonWriter json;
  json.BeginObject();
  json.Key("from").String(FormatIso8601(request.from));
  json.Key("to").String(FormatIso8601(request.to));
  json.Key("interval").String(IntervalName(request.interval));
  json.Key("time_zone").String(request.time_zone.name());
  json.Key("buckets");
  WriteBuckets(json, request.periods[0].buckets);
  if (request.compare) {
    const TrendsPeriod& previous = request.periods[1];
    json.Key("previous").BeginObject();
    json.Key("from").String(FormatIso8601(previous.from));
    json.Key("to").String(FormatIso8601(previous.to));
    json.Key("buckets");
    WriteBuckets(json, previous.buckets);
    json.EndObject();
  }
  json.Key("series").BeginArray();
  for (size_t period = 0; period < result.series.size(); ++period) {
    for (size_t index = 0; index < request.series.size(); ++index) {
      const TrendsSeries& series = request.series[index];
      for (size_t group = 0; group < result.groups.size(); ++group) {
        json.BeginObject();
        json.Key("index").Uint(index);
        json.Key("name").String(series.name);
        json.Key("math").String(TrendsMathName(series.math));
        if (IsPropertyMath(series.math)) json.Key("math_property").String(series.math_property);
        WriteGroupAndPeriod(json, request, result.groups[group], period);
        WriteValues(json, result.series[period][index][group], IsCountMath(series.math), points);
        json.EndObject();
      }
    }
  }
  json.EndArray();
  if (request.formula) {
    json.Key("formula").BeginObject();
    json.Key("expression").String(request.formula->text());
    json.Key("series").BeginArray();
    for (size_t period = 0; period < result.formula.size(); ++period) {
      for (size_t group = 0; group < result.groups.size(); ++group) {
        json.BeginObject();
        WriteGroupAndPeriod(json, request, result.groups[group], period);
        WriteValues(json, result.formula[period][group], false, points);
        json.EndObject();
      }
    }
    json.EndArray();
    json.EndObject();
  }
  json.EndObject();
  return std::move(json).Take();
}

}  // namespace cdp::query
