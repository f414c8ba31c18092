#include "query/retention/retention_result.h"

#include <cassert>

#include "core/json_writer.h"

namespace cdp::query {

namespace {

// 0 when nobody could have returned (an empty cohort), never NaN.
double Percent(uint64_t persons, uint64_t of) {
  return of == 0 ? 0.0 : 100.0 * double(persons) / double(of);
}

}  // namespace

QueryOutput WriteRetentionResult(const RetentionRequest& request, const RetentionRange& range,
                                 const RetentionTable& table) {
  assert(table.persons.size() == range.periods.size());
  const size_t periods = table.persons.size();
  QueryOutput output;
  JsonWriter json;
  json.BeginObject();
  json.Key("from").String(FormatIso8601(range.periods.start(0)));
  json.Key("to").String(FormatIso8601(range.to));
  json.Key("period").String(IntervalName(request.period));
  json.Key("periods").Int(request.periods);
  json.Key("time_zone").String(request.time_zone.name());
  json.Key("cohort").String(RetentionCohortName(request.cohort));
  json.Key("returning").String(RetentionReturningName(request.returning));
  json.Key("cohorts").BeginArray();
  for (size_t cohort = 0; cohort < periods; ++cohort) {
    const std::vector<uint64_t>& persons = table.persons[cohort];
    json.BeginObject();
    json.Key("start").String(range.periods.Label(cohort));
    json.Key("persons").Uint(persons[0]);
    json.Key("values").BeginArray();
    for (size_t k = 0; k < persons.size(); ++k) {
      json.BeginObject();
      json.Key("period").Uint(k);
      json.Key("persons").Uint(persons[k]);
      json.Key("percent").Double(Percent(persons[k], persons[0]));
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    output.rows += persons.size();
  }
  json.EndArray();
  // Period k across the cohorts that reached it, weighted by their sizes:
  // the retention curve most users read first.
  json.Key("average").BeginArray();
  for (size_t k = 0; k < periods; ++k) {
    uint64_t returned = 0;
    uint64_t cohort_persons = 0;
    for (size_t cohort = 0; cohort + k < periods; ++cohort) {
      returned += table.persons[cohort][k];
      cohort_persons += table.persons[cohort][0];
    }
    json.BeginObject();
    json.Key("period").Uint(k);
    json.Key("persons").Uint(returned);
    json.Key("cohort_persons").Uint(cohort_persons);
    json.Key("percent").Double(Percent(returned, cohort_persons));
    json.EndObject();
  }
  json.EndArray();
  json.EndObject();
  output.json = std::move(json).Take();
  return output;
}

}  // namespace cdp::query
