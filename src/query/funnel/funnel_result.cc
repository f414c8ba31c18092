#include "query/funnel/funnel_result.h"

#include <variant>

#include "core/json_writer.h"

namespace cdp::query {

namespace {

double Ratio(uint64_t part, uint64_t whole) {
  return whole == 0 ? 0.0 : double(part) / double(whole);
}

void WriteOptional(JsonWriter& json, const std::optional<double>& value) {
  if (value) {
    json.Double(*value);
  } else {
    json.Null();
  }
}

void WriteValue(JsonWriter& json, const ScalarValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    json.String(*text);
  } else if (const auto* time = std::get_if<TimeValue>(&value)) {
    json.String(FormatIso8601(FromUnixMicros(time->micros)));
  } else if (const auto* number = std::get_if<double>(&value)) {
    json.Double(*number);
  } else if (const auto* boolean = std::get_if<bool>(&value)) {
    json.Bool(*boolean);
  } else {
    json.Null();
  }
}

void WriteSteps(JsonWriter& json, const FunnelRequest& request,
                const std::vector<FunnelStepStats>& steps) {
  json.BeginArray();
  for (size_t k = 0; k < steps.size(); ++k) {
    const FunnelStepStats& step = steps[k];
    json.BeginObject();
    json.Key("index").Uint(k);
    json.Key("name").String(request.steps[k].name);
    json.Key("event");
    if (request.steps[k].selector.event) {
      json.String(*request.steps[k].selector.event);
    } else {
      json.Null();
    }
    json.Key("persons").Uint(step.persons);
    json.Key("conversion_from_first").Double(Ratio(step.persons, steps[0].persons));
    json.Key("conversion_from_previous")
        .Double(Ratio(step.persons, steps[k == 0 ? 0 : k - 1].persons));
    json.Key("median_seconds_to_convert");
    WriteOptional(json, step.median_seconds);
    json.Key("average_seconds_to_convert");
    WriteOptional(json, step.average_seconds);
    json.EndObject();
  }
  json.EndArray();
}

}  // namespace

QueryOutput WriteFunnelResult(const FunnelRequest& request, const FunnelResult& result) {
  QueryOutput output;
  JsonWriter json;
  json.BeginObject();
  json.Key("steps");
  WriteSteps(json, request, result.steps);
  output.rows += result.steps.size();
  json.Key("time_to_convert").BeginObject().Key("bins").BeginArray();
  for (const FunnelHistogramBin& bin : result.time_to_convert) {
    json.BeginObject();
    json.Key("from_seconds").Int(bin.from_seconds);
    json.Key("to_seconds").Int(bin.to_seconds);
    json.Key("persons").Uint(bin.persons);
    json.EndObject();
  }
  json.EndArray().EndObject();
  output.rows += result.time_to_convert.size();
  json.Key("over_time").BeginArray();
  for (const FunnelOverTimePoint& point : result.over_time) {
    json.BeginObject();
    json.Key("bucket").String(point.bucket);
    json.Key("entered").Uint(point.entered);
    json.Key("completed").Uint(point.completed);
    json.Key("conversion").Double(Ratio(point.completed, point.entered));
    json.EndObject();
  }
  json.EndArray();
  output.rows += result.over_time.size();
  if (result.breakdown) {
    json.Key("breakdown").BeginArray();
    for (const FunnelBreakdownGroup& group : *result.breakdown) {
      json.BeginObject();
      json.Key("value");
      WriteValue(json, group.value);
      json.Key("other").Bool(group.other);
      json.Key("steps");
      WriteSteps(json, request, group.steps);
      json.EndObject();
      output.rows += group.steps.size();
    }
    json.EndArray();
  }
  json.EndObject();
  output.json = std::move(json).Take();
  return output;
}

}  // namespace cdp::query
