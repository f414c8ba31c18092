#include "gen/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace cdp::gen {
namespace {

TEST(ProgressTest, GroupsThousands) {
  EXPECT_EQ(GroupThousands(0), "0");
  EXPECT_EQ(GroupThousands(999), "999");
  EXPECT_EQ(GroupThousands(1000), "1,000");
  EXPECT_EQ(GroupThousands(1234567), "1,234,567");
}

TEST(ProgressTest, LineShowsBarShareRateAndEta) {
  ProgressSample sample;
  sample.events = 2'000'000;
  sample.fraction = 0.5;
  EXPECT_EQ(FormatProgressLine(sample, 2.0),
            "[##########..........]  50%  2,000,000 events  1.00 M events/s  ETA 0:02");
  sample.posting = true;
  sample.answered = 30'000;
  EXPECT_EQ(FormatProgressLine(sample, 2.0),
            "[##########..........]  50%  2,000,000 events, 30,000 posted  15.0 k events/s  "
            "ETA 0:02");
}

TEST(ProgressTest, NoEtaAtTheStartOrTheEnd) {
  ProgressSample sample;
  sample.events = 10;
  sample.fraction = 0;
  EXPECT_EQ(FormatProgressLine(sample, 0.1).find("ETA"), std::string::npos);
  sample.fraction = 1;
  EXPECT_EQ(FormatProgressLine(sample, 10).find("ETA"), std::string::npos);
  EXPECT_NE(FormatProgressLine(sample, 10).find("100%"), std::string::npos);
}

TEST(ProgressTest, SummaryIsOneReadableLine) {
  RunSummary summary;
  summary.events = 1000;
  summary.persons = 100;
  summary.bytes = 800'000;
  summary.seconds = 0.5;
  EXPECT_EQ(FormatSummary(summary),
            "cdp gen: 1000 events, 100 persons, 800000 bytes in 0.50 s (2000 events/s, 1.6 MB/s)");
  summary.posted = true;
  summary.accepted = 990;
  summary.duplicates = 8;
  summary.rejected = 2;
  summary.requests = 3;
  EXPECT_EQ(FormatSummary(summary),
            "cdp gen: 1000 events, 100 persons, 800000 bytes in 0.50 s (2000 events/s, 1.6 MB/s); "
            "posted: 990 accepted, 8 duplicates, 2 rejected (3 requests)");
}

TEST(ProgressTest, ReporterDrawsAtMostFiveTimesASecondAndOnlyWhenEnabled) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    ProgressReporter disabled(fds[1], false);
    disabled.Update({});
    disabled.Clear();
    ProgressReporter reporter(fds[1], true);
    ProgressSample sample;
    for (int i = 0; i < 1000; ++i) reporter.Update(sample);  // all within 200 ms: nothing
    ::usleep(210'000);
    sample.events = 5;
    for (int i = 0; i < 1000; ++i) reporter.Update(sample);  // one drawing
    reporter.Clear();
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<size_t>(n));
  ::close(fds[0]);
  size_t frames = 0;
  for (char c : text) frames += c == '\r';
  EXPECT_EQ(frames, 2u) << text;  // the one update, then the erasure
  EXPECT_NE(text.find("5 events"), std::string::npos);
}

}  // namespace
}  // namespace cdp::gen
