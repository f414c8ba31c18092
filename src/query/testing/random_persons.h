#pragma once

#include <random>
#include <span>

#include "model/event.h"
#include "query/testing/static_person_directory.h"

namespace cdp::query::testing {

// A directory merging some of the persons of `events` at random, for the
// analyses' randomized comparisons with their references: about half of the
// anonymous ids that share an event with a user id are merged with it (a
// visitor who signed up), and about one id in ten is merged with some other
// id as well (a second device, an alias), so that persons of several ids,
// events under ids that are not their person's representative, and
// anonymous ids left alone all occur. Representatives are chosen at random
// among a person's ids. Every id of the events is known (MemberIds finds it
// by its profile id).
StaticPersonDirectory RandomPersonDirectory(std::mt19937_64& random, std::span<const Event> events);

}  // namespace cdp::query::testing
