#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "model/event.h"

namespace cdp {

// The event log's record format for one accepted Event: ingestion appends
// LogAppend{EventLogKey(event), EncodeEvent(event)}, and the loader decodes
// each record with DecodeEvent before writing it to the event store.
//
// Payload: one compact JSON object (readable in a hex dump; simdjson parses it
// at 1-2 GB/s, and building the Event's strings is most of the decode). Every field is always
// present, in this order, and the decoder insists on exactly these keys in exactly this order, so a
// single pass reads it and any damage is caught:
//
//   "v"       1, the format version. Always first: a reader dispatches on it
//             before it reads anything else. A new field or a new encoding
//             of one means a new version; this decoder refuses any other.
//   "ws"      workspace_id                string
//   "type"    type                        "track" | "identify" | "page" |
//                                         "screen" | "group" | "alias"
//   "mid"     message_id                  string
//   "anon"    anonymous_id                string ("" when none)
//   "uid"     user_id                     string
//   "gid"     group_id                    string
//   "prev"    previous_id                 string
//   "event"   event                       string
//   "recv"    received_at                 integer: microseconds since the Unix
//   "sent"    sent_at                     epoch (negative before 1970);
//   "orig"    original_timestamp          sent and orig are null when absent
//   "ts"      timestamp
//   "ctx"     context                     property object (below)
//   "props"   properties                  property object
//   "traits"  traits                      property object
//   "once"    traits_set_once             property object
//   "integ"   integrations                its JSON object as is, or null when
//                                         empty
//
// A property object maps each property name to its value, in the order of the
// property list (duplicate names, which flattening never produces, survive
// too): null, a string, a number, true / false, or [text, microseconds] for a
// string that is a timestamp (Property::timestamp), so the time is stored
// exactly rather than parsed again. Numbers are written in the shortest form
// that reads back as the same double (-0.0 as "-0.0").
//
// Example, a track event from a browser (668 bytes; shown over several lines):
//
//   {"v":1,"ws":"ws_7Qk2","type":"track","mid":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
//   "anon":"a8c3f0e2-77b1-4f3a-9c2d-5e6f7a8b9c0d","uid":"user_48213","gid":"","prev":"",
//   "event":"Order Completed","recv":1772618400123456,"sent":1772618399987000,
//   "orig":1772618399912000,"ts":1772618400048456,"ctx":{"ip":"203.0.113.42",
//   "page_url":"https://shop.example.com/checkout/confirm","user_agent":"Mozilla/5.0
//   (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Safari/605.1.15"},
//   "props":{"order_id":"ord_93842","total":129.99,"items":3,"coupon":null,
//   "first_order":true,"shipped_at":["2026-03-04T10:00:00.123456Z",1772618400123456]},
//   "traits":{},"once":{},"integ":{"Mixpanel":false}}
//

// Encodes `event`. decode(encode(e)) == e, with these REQUIREMENTS, all of
// which the request parsers guarantee:
//  - strings are valid UTF-8 (invalid bytes would become U+FFFD);
//  - numbers are finite (asserted; JSON has no NaN or Infinity);
//  - only string properties carry a timestamp (asserted);
//  - integrations is empty or a JSON object in compact form as
//    simdjson::minify writes it (checked only for its braces, by an
//    assertion): DecodeEvent returns the object in that form.
// Times are kept to the microsecond, the store's precision: a finer part
// (TimePoint has nanoseconds) is dropped, rounding toward the past.
// Thread safety: a pure function.
std::string EncodeEvent(const Event& event);

// Decodes a payload that EncodeEvent wrote. The payload is read as untrusted
// (a log segment may be damaged): anything but a well-formed version-1
// payload is a BadRequest whose message says what is wrong and whose field()
// names the offending Event field ("received_at", "properties.total"; "v" for
// the version), or is empty when the payload is not a JSON object at all (the
// cause then holds simdjson's error). Never crashes, whatever the bytes.
// Thread safety: may be called concurrently; each thread reuses its own
// parser, whose buffers grow to the largest payload that thread decoded.
Result<Event> DecodeEvent(std::string_view payload);

// The event log key of `event`: workspace_id + '/' + anonymous_id, or
// + user_id when there is no anonymous_id. Records with one key land in one
// partition in append order, so one visitor's events reach the loader in the
// order they were accepted. An anonymous visitor who identifies keeps their
// key (SDKs send the anonymousId with the userId); only events sent with a
// userId alone (server-side sources) go under the user's own key, and are
// ordered among themselves but not against that visitor's anonymous ones.
std::string EventLogKey(const Event& event);

}  // namespace cdp
