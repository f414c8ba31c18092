#include "app/gen_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "app/command_failure.h"
#include "core/clock.h"
#include "core/iso8601.h"
#include "gen/batch_poster.h"
#include "gen/generator.h"
#include "gen/ndjson_writer.h"
#include "gen/progress.h"

namespace cdp {

namespace {

// Events later than this after they happened need a secret key (the server's
// default CDP_INGEST_LATE_AFTER).
constexpr auto kLateAfter = std::chrono::hours(24);
constexpr uint64_t kProgressEvery = 4096;  // events between progress checks

constexpr char kFooter[] = R"(
Examples:
  cdp gen --persons 1000 --days 30 --out events.ndjson
  cdp gen --seed 7 --persons 1000000 --days 30 --start 2026-10-01 --out - | gzip > events.ndjson.gz
  cdp gen --persons 5000 --days 7 --post http://127.0.0.1:8080 --write-key sk_...

Messages come in time order. Events older than 24 hours are refused by cdp
when sent with a write key: post a historical import with an admin-scope
secret key (sk_...), or use --start within the last day. See docs/gen.md.)";

Result<TimePoint> ParseStart(const std::string& text) {
  std::optional<TimePoint> start;
  if (text.size() == 10) {
    start = ParseIso8601DateTime(text + "T00:00:00Z");
  } else {
    start = ParseIso8601DateTime(text);
  }
  if (!start) {
    return Status::BadRequest(
        fmt::format("--start takes a date (2026-10-01) or an ISO-8601 date-time "
                    "(2026-10-01T08:00:00Z), not '{}'",
                    text),
        "start");
  }
  return *start;
}

// A write key cannot send events older than the server's late-event limit:
// say so before sending anything rather than collect millions of refusals.
Status CheckLateness(const GenCommandOptions& options, TimePoint start) {
  if (options.write_key.starts_with("sk_")) return Status::Ok();
  const TimePoint now = SystemClock::Instance().Now();
  if (start >= now - kLateAfter) return Status::Ok();
  return Status::BadRequest(
      fmt::format("the generated events start at {}, more than 24 hours ago, and cdp refuses "
                  "late events sent with a write key: post this historical import with an "
                  "admin-scope secret key (--write-key sk_...), or generate today's events "
                  "(--start {} --days 1)",
                  FormatIso8601(start), FormatIso8601(now).substr(0, 10)),
      "start");
}

gen::ProgressSample Sample(const gen::Generator& generator, const gen::BatchPoster* poster) {
  gen::ProgressSample sample;
  sample.events = generator.events();
  sample.fraction = generator.progress();
  if (poster != nullptr) {
    sample.posting = true;
    sample.answered = poster->counts().answered();
  }
  return sample;
}

}  // namespace

CLI::App* AddGenCommand(CLI::App& app, GenCommandOptions& options) {
  CLI::App* gen = app.add_subcommand(
      "gen", "Generate realistic synthetic product-analytics events (NDJSON, or posted to cdp)");
  gen->footer(kFooter);
  gen->add_option("--seed", options.seed, "Random seed; the same flags give byte-identical data")
      ->capture_default_str();
  gen->add_option("--persons", options.persons, "Persons (visitors) arriving during the window")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, gen::kMaxPersons));
  gen->add_option("--days", options.days, "Length of the window in days")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, gen::kMaxDays));
  gen->add_option("--start", options.start,
                  "First day of the window, UTC: YYYY-MM-DD or an ISO-8601 date-time")
      ->capture_default_str();
  gen->add_option("--out", options.out,
                  "Write NDJSON to FILE ('-': stdout, the default when not posting)")
      ->type_name("FILE");
  gen->add_option("--post", options.post,
                  "Post the events to a running cdp, e.g. http://127.0.0.1:8080 (/v1/batch)")
      ->type_name("URL");
  gen->add_option("--write-key,--key", options.write_key,
                  "Workspace key for --post: a write key (wk_...), or an admin-scope secret key "
                  "(sk_...) for events older than 24 hours")
      ->type_name("KEY");
  gen->add_option("--batch", options.batch,
                  "Events per /v1/batch request (batches also stay under 450 KiB)")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{2500}));
  gen->add_option("--concurrency", options.concurrency, "Parallel connections for --post")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  return gen;
}

int RunGenCommand(const GenCommandOptions& options) {
  Result<TimePoint> start = ParseStart(options.start);
  if (!start.ok()) return ReportCommandFailure(start.status());
  gen::GeneratorOptions generator_options;
  generator_options.seed = options.seed;
  generator_options.persons = options.persons;
  generator_options.days = options.days;
  generator_options.start = *start;
  if (Status valid = gen::ValidateGeneratorOptions(generator_options); !valid.ok()) {
    return ReportCommandFailure(valid);
  }
  const bool posting = !options.post.empty();
  if (!posting && !options.write_key.empty()) {
    return ReportCommandFailure(Status::BadRequest("--write-key is for --post", "write-key"));
  }

  std::unique_ptr<gen::BatchPoster> poster;
  if (posting) {
    if (Status late = CheckLateness(options, *start); !late.ok()) return ReportCommandFailure(late);
    gen::PosterOptions poster_options;
    poster_options.url = options.post;
    poster_options.key = options.write_key;
    poster_options.batch_events = options.batch;
    poster_options.concurrency = options.concurrency;
    Result<std::unique_ptr<gen::BatchPoster>> started = gen::BatchPoster::Start(poster_options);
    if (!started.ok()) return ReportCommandFailure(started.status());
    poster = std::move(started).value();
  }
  std::unique_ptr<gen::NdjsonWriter> writer;
  if (!posting || !options.out.empty()) {
    auto opened = gen::NdjsonWriter::Open(options.out.empty() ? "-" : options.out);
    if (!opened.ok()) return ReportCommandFailure(opened.status());
    writer = std::move(opened).value();
  }

  // No progress line amid messages printed on the same terminal.
  const bool to_terminal =
      writer && (options.out.empty() || options.out == "-") && ::isatty(STDOUT_FILENO) == 1;
  gen::ProgressReporter progress(STDERR_FILENO, ::isatty(STDERR_FILENO) == 1 && !to_terminal);
  gen::Generator generator(generator_options);
  Status status;
  uint64_t bytes = 0;
  if (!posting) {
    // Serialize straight into the writer's buffer.
    while (generator.Next(writer->buffer())) {
      status = writer->EndLine();
      if (!status.ok()) break;
      if (generator.events() % kProgressEvery == 0) progress.Update(Sample(generator, nullptr));
    }
    if (status.ok()) status = writer->Close();
    bytes = writer->bytes();
  } else {
    std::string message;
    for (;;) {
      message.clear();
      if (!generator.Next(message)) break;
      bytes += message.size() + 1;  // as NDJSON: a line each
      if (writer) {
        status = writer->Append(message);
        if (!status.ok()) break;
      }
      status = poster->Add(message);
      if (!status.ok()) break;
      if (generator.events() % kProgressEvery == 0) {
        progress.Update(Sample(generator, poster.get()));
      }
    }
    Status finished = poster->Finish();
    if (status.ok()) status = std::move(finished);
    if (writer) {
      Status closed = writer->Close();
      if (status.ok()) status = std::move(closed);
    }
  }
  if (!status.ok() && writer) writer->Abandon();
  progress.Clear();

  gen::RunSummary summary;
  summary.events = generator.events();
  summary.persons = generator.persons_arrived();
  summary.bytes = bytes;
  summary.seconds = progress.elapsed_seconds();
  if (poster) {
    const gen::PostCounts counts = poster->counts();
    summary.posted = true;
    summary.accepted = counts.accepted;
    summary.duplicates = counts.duplicates;
    summary.rejected = counts.rejected;
    summary.requests = counts.requests;
  }
  fmt::print(stderr, "{}\n", gen::FormatSummary(summary));
  if (!status.ok()) return ReportCommandFailure(status);
  if (poster && summary.rejected > 0) {
    fmt::print(stderr, "error: the server rejected {} events; the first:\n", summary.rejected);
    for (const std::string& rejection : poster->rejections()) {
      fmt::print(stderr, "  {}\n", rejection);
    }
    return 1;
  }
  return 0;
}

}  // namespace cdp
