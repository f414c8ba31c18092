// Every fault FaultInjectingFileSystem can inject, at every point of a
// part's write: afterwards the part is complete and reads back exactly, or
// its final name does not exist (and, after RemoveTemporaryParts, nothing is
// left of it).

#include <gtest/gtest.h>

#include <cerrno>
#include <random>

#include "store/columnar/io/fault_injecting_file_system.h"
#include "store/columnar/io/part_reader.h"
#include "store/columnar/io/part_test_util.h"
#include "store/columnar/io/part_writer.h"
#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

using CrashMode = FaultInjectingFileSystem::CrashMode;

// The part every scenario writes: small enough to fail at every byte.
test::PartSpec FaultPart() {
  std::mt19937_64 random(99);
  test::PartSpec part;
  part.columns.push_back({"time", 1, {{test::RandomBytes(random, 37), "lo-hi", 4}}});
  part.columns.push_back({"event",
                          0,
                          {{test::RandomBytes(random, 50), "", 3},
                           {"", "", 0},
                           {test::RandomBytes(random, 9), "s", 1}}});
  part.metadata["rows"] = "4";
  return part;
}

class PartWriterFaultTest : public ::testing::Test {
 protected:
  // A fresh directory per scenario, inside the test's temporary directory.
  std::string NewDirectory() {
    const std::string dir = root_.File("d" + std::to_string(scenario_++));
    EXPECT_TRUE(posix_.CreateDirectories(dir).ok());
    return dir;
  }

  std::vector<std::string> Files(const std::string& dir) {
    auto names = posix_.ListDirectory(dir);
    EXPECT_TRUE(names.ok()) << names.status().ToString();
    return names.ok() ? *names : std::vector<std::string>{};
  }

  // After a failed write: the writer cleaned up after itself, nothing is left.
  void ExpectNothingLeft(const std::string& dir, const std::string& context) {
    EXPECT_TRUE(Files(dir).empty()) << context;
  }

  // The part is there, complete, or absent; after recovery nothing else is.
  // `must_exist`: the writer said Ok, so the part must have survived.
  void ExpectCompleteOrAbsent(const std::string& dir, bool must_exist, const std::string& context) {
    auto removed = RemoveTemporaryParts(posix_, dir);
    ASSERT_TRUE(removed.ok()) << removed.status().ToString();
    const std::vector<std::string> files = Files(dir);
    if (files.empty()) {
      EXPECT_FALSE(must_exist) << context << ": an acknowledged part is lost";
      return;
    }
    ASSERT_EQ(files, std::vector<std::string>{"part"}) << context;
    EXPECT_TRUE(test::ReadsBack(posix_, dir + "/part", part_)) << context;
  }

  // The faultless run's totals, to enumerate the fault points.
  struct Totals {
    uint64_t appends;
    uint64_t bytes;
    uint64_t operations;
  };
  Totals MeasureCleanRun() {
    const std::string dir = NewDirectory();
    FaultInjectingFileSystem fs(posix_);
    EXPECT_TRUE(test::WritePart(fs, dir + "/part", part_).ok());
    EXPECT_TRUE(test::ReadsBack(posix_, dir + "/part", part_));
    return {fs.appends(), fs.bytes_appended(), fs.operations()};
  }

  PosixFileSystem posix_;
  testing::TempDir root_;
  int scenario_ = 0;
  const test::PartSpec part_ = FaultPart();
};

TEST_F(PartWriterFaultTest, CleanRunCounts) {
  const Totals totals = MeasureCleanRun();
  EXPECT_GT(totals.appends, 5u);
  EXPECT_EQ(totals.bytes, *posix_.FileSize(root_.File("d0/part")));
}

TEST_F(PartWriterFaultTest, FailEachAppendInTurn) {
  const Totals totals = MeasureCleanRun();
  // 0: a plain failed write; 1 and 5: short writes; a huge count: the whole
  // write reaches the file, and is reported failed all the same.
  for (size_t written : {size_t{0}, size_t{1}, size_t{5}, size_t{1} << 30}) {
    for (uint64_t index = 0; index < totals.appends; ++index) {
      const std::string dir = NewDirectory();
      const std::string context =
          "append " + std::to_string(index) + ", " + std::to_string(written) + " bytes written";
      FaultInjectingFileSystem fs(posix_);
      fs.FailAppend(index, written);
      const Status status = test::WritePart(fs, dir + "/part", part_);
      ASSERT_FALSE(status.ok()) << context;
      EXPECT_NE(status.cause().find("(injected)"), std::string::npos) << status.ToString();
      ExpectNothingLeft(dir, context);
    }
  }
}

TEST_F(PartWriterFaultTest, DiskFullAtEveryByte) {
  const Totals totals = MeasureCleanRun();
  for (uint64_t budget = 0; budget <= totals.bytes; ++budget) {
    const std::string dir = NewDirectory();
    const std::string context = "ENOSPC after " + std::to_string(budget) + " bytes";
    FaultInjectingFileSystem fs(posix_);
    fs.LimitAppendedBytes(budget, ENOSPC);
    const Status status = test::WritePart(fs, dir + "/part", part_);
    if (budget == totals.bytes) {
      ASSERT_TRUE(status.ok()) << context << ": " << status.ToString();
      EXPECT_TRUE(test::ReadsBack(posix_, dir + "/part", part_));
      continue;
    }
    ASSERT_FALSE(status.ok()) << context;
    EXPECT_NE(status.cause().find("No space left on device"), std::string::npos)
        << status.ToString();
    ExpectNothingLeft(dir, context);
  }
}

TEST_F(PartWriterFaultTest, FailingDiskAfterEveryByte) {
  const Totals totals = MeasureCleanRun();
  for (uint64_t budget = 0; budget < totals.bytes; ++budget) {
    const std::string dir = NewDirectory();
    const std::string context = "EIO after " + std::to_string(budget) + " bytes";
    FaultInjectingFileSystem fs(posix_);
    fs.LimitAppendedBytes(budget, EIO);
    ASSERT_FALSE(test::WritePart(fs, dir + "/part", part_).ok()) << context;
    ExpectNothingLeft(dir, context);
  }
}

TEST_F(PartWriterFaultTest, FailingCreation) {
  const std::string dir = NewDirectory();
  FaultInjectingFileSystem fs(posix_);
  fs.FailFileCreation(true);
  EXPECT_FALSE(test::WritePart(fs, dir + "/part", part_).ok());
  ExpectNothingLeft(dir, "creation");
}

TEST_F(PartWriterFaultTest, FailingSync) {
  const std::string dir = NewDirectory();
  FaultInjectingFileSystem fs(posix_);
  fs.FailSyncs(true);
  const Status status = test::WritePart(fs, dir + "/part", part_);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.cause().find("cannot sync"), std::string::npos) << status.ToString();
  ExpectNothingLeft(dir, "sync");
  // What a crash right then leaves: nothing either.
  ASSERT_TRUE(fs.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  ExpectCompleteOrAbsent(dir, false, "sync, then crash");
}

TEST_F(PartWriterFaultTest, FailingRename) {
  const std::string dir = NewDirectory();
  FaultInjectingFileSystem fs(posix_);
  fs.FailRenames(true);
  const Status status = test::WritePart(fs, dir + "/part", part_);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.cause().find("cannot rename"), std::string::npos) << status.ToString();
  ExpectNothingLeft(dir, "rename");
}

TEST_F(PartWriterFaultTest, FailingDirectorySyncRemovesThePartAgain) {
  for (CrashMode mode : {CrashMode::kKeepNames, CrashMode::kUndoUnsyncedNames}) {
    const std::string dir = NewDirectory();
    FaultInjectingFileSystem fs(posix_);
    fs.FailDirectorySyncs(true);
    const Status status = test::WritePart(fs, dir + "/part", part_);
    EXPECT_FALSE(status.ok());
    EXPECT_NE(status.cause().find("cannot sync directory"), std::string::npos) << status.ToString();
    ExpectNothingLeft(dir, "directory sync");
    ASSERT_TRUE(fs.SimulateCrash(mode).ok());
    ExpectCompleteOrAbsent(dir, false, "directory sync, then crash");
  }
}

TEST_F(PartWriterFaultTest, FailingCleanupLeavesDebrisForRecovery) {
  const std::string dir = NewDirectory();
  FaultInjectingFileSystem fs(posix_);
  fs.FailRenames(true);
  fs.FailRemoves(true);
  const Status status = test::WritePart(fs, dir + "/part", part_);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.cause().find("cleanup: "), std::string::npos) << status.ToString();
  EXPECT_EQ(Files(dir), std::vector<std::string>{"tmp_part"});
  ExpectCompleteOrAbsent(dir, false, "rename and cleanup");
  EXPECT_TRUE(Files(dir).empty());
}

TEST_F(PartWriterFaultTest, FailingDirectorySyncAndCleanupLeavesACompletePart) {
  const std::string dir = NewDirectory();
  FaultInjectingFileSystem fs(posix_);
  fs.FailDirectorySyncs(true);
  fs.FailRemoves(true);
  EXPECT_FALSE(test::WritePart(fs, dir + "/part", part_).ok());
  // The caller was told it failed, but the part is there: complete, intact.
  ExpectCompleteOrAbsent(dir, false, "directory sync and cleanup");
}

// The machine stops after each number of file system operations, then loses
// power; on restart, recovery runs.
TEST_F(PartWriterFaultTest, CrashAtEveryOperation) {
  const Totals totals = MeasureCleanRun();
  for (CrashMode mode : {CrashMode::kKeepNames, CrashMode::kUndoUnsyncedNames}) {
    for (uint64_t operations = 0; operations <= totals.operations + 1; ++operations) {
      const std::string dir = NewDirectory();
      const std::string context = std::string(mode == CrashMode::kKeepNames ? "keep" : "undo") +
                                  " names, halt after " + std::to_string(operations);
      FaultInjectingFileSystem fs(posix_);
      fs.HaltAfter(operations);
      const Status status = test::WritePart(fs, dir + "/part", part_);
      EXPECT_EQ(status.ok(), operations >= totals.operations) << context;
      ASSERT_TRUE(fs.SimulateCrash(mode).ok()) << context;
      ExpectCompleteOrAbsent(dir, status.ok(), context);
    }
  }
}

// A crash of a file system that merely drops unsynced data, never a halt:
// the writer ran to its end, and only what it synced survives.
TEST_F(PartWriterFaultTest, AcknowledgedPartSurvivesACrash) {
  for (CrashMode mode : {CrashMode::kKeepNames, CrashMode::kUndoUnsyncedNames}) {
    const std::string dir = NewDirectory();
    FaultInjectingFileSystem fs(posix_);
    ASSERT_TRUE(test::WritePart(fs, dir + "/part", part_).ok());
    ASSERT_TRUE(fs.SimulateCrash(mode).ok());
    ExpectCompleteOrAbsent(dir, true, "crash after Finish");
  }
}

// An unfinished writer at the crash: its temporary file is debris.
TEST_F(PartWriterFaultTest, CrashWhileWriting) {
  for (CrashMode mode : {CrashMode::kKeepNames, CrashMode::kUndoUnsyncedNames}) {
    const std::string dir = NewDirectory();
    FaultInjectingFileSystem fs(posix_);
    ASSERT_TRUE(fs.SyncDirectory(dir).ok());
    auto writer = PartWriter::Create(fs, dir + "/part");
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->StartColumn("c", 0).ok());
    ASSERT_TRUE((*writer)->AppendBlock("abc", "", 3).ok());
    ASSERT_TRUE(fs.SimulateCrash(mode).ok());
    // Restart: recovery removes the debris (kept by kKeepNames).
    auto removed = RemoveTemporaryParts(fs, dir);
    ASSERT_TRUE(removed.ok());
    EXPECT_EQ(*removed, mode == CrashMode::kKeepNames ? 1u : 0u);
    EXPECT_TRUE(Files(dir).empty());
    // The writer of the dead process fails from then on.
    EXPECT_FALSE((*writer)->Finish().ok());
    EXPECT_TRUE(Files(dir).empty());
  }
}

}  // namespace
}  // namespace cdp::columnar
