#include "store/columnar/io/fault_injecting_file_system.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "store/columnar/io/posix_file_system.h"
#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

using CrashMode = FaultInjectingFileSystem::CrashMode;

class FaultInjectingFileSystemTest : public ::testing::Test {
 protected:
  std::unique_ptr<WritableFile> Open(const std::string& name) {
    auto file = fs_.NewWritableFile(dir_.File(name));
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  // The base file's contents, or "<missing>".
  std::string Contents(const std::string& name) {
    auto file = base_.Map(dir_.File(name));
    if (!file.ok()) return "<missing>";
    return std::string((*file)->data());
  }

  static bool IsInjected(const Status& status) {
    return !status.ok() && status.cause().find("(injected)") != std::string::npos;
  }

  testing::TempDir dir_;
  PosixFileSystem base_;
  FaultInjectingFileSystem fs_{base_};
};

TEST_F(FaultInjectingFileSystemTest, PassesThroughWithoutFaults) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Close().ok());
  EXPECT_EQ(Contents("f"), "abc");
  EXPECT_EQ(*fs_.FileSize(dir_.File("f")), 3u);
  EXPECT_EQ(fs_.appends(), 1u);
  EXPECT_EQ(fs_.bytes_appended(), 3u);
  EXPECT_EQ(fs_.operations(), 4u);  // create, append, sync, close
  ASSERT_TRUE(fs_.Rename(dir_.File("f"), dir_.File("g")).ok());
  EXPECT_EQ(*fs_.ListDirectory(dir_.path()), std::vector<std::string>{"g"});
  EXPECT_EQ((*fs_.Map(dir_.File("g")))->data(), "abc");
  ASSERT_TRUE(fs_.RemoveFile(dir_.File("g")).ok());
  EXPECT_TRUE(fs_.FreeSpace(dir_.path()).ok());
}

TEST_F(FaultInjectingFileSystemTest, FailAppendWritesTheGivenPrefix) {
  auto file = Open("f");
  fs_.FailAppend(1, 2);
  ASSERT_TRUE(file->Append("abc").ok());
  const Status status = file->Append("defg");
  EXPECT_TRUE(IsInjected(status)) << status.ToString();
  EXPECT_NE(status.cause().find("cannot write " + dir_.File("f") + ": Input/output error"),
            std::string::npos)
      << status.ToString();
  EXPECT_EQ(Contents("f"), "abcde");
  ASSERT_TRUE(file->Append("h").ok());  // only that one append fails
  EXPECT_EQ(fs_.appends(), 3u);
  EXPECT_EQ(fs_.bytes_appended(), 6u);
}

TEST_F(FaultInjectingFileSystemTest, DiskFull) {
  auto file = Open("f");
  fs_.LimitAppendedBytes(5, ENOSPC);
  EXPECT_EQ(*fs_.FreeSpace(dir_.path()), 5u);
  ASSERT_TRUE(file->Append("abc").ok());
  const Status status = file->Append("defg");
  EXPECT_TRUE(IsInjected(status));
  EXPECT_NE(status.cause().find("No space left on device"), std::string::npos);
  EXPECT_FALSE(file->Append("x").ok());
  EXPECT_TRUE(file->Append("").ok());
  EXPECT_EQ(Contents("f"), "abcde");
  EXPECT_EQ(*fs_.FreeSpace(dir_.path()), 0u);
  fs_.ClearFaults();
  EXPECT_TRUE(file->Append("x").ok());
}

TEST_F(FaultInjectingFileSystemTest, FailingOperationsChangeNothing) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("abc").ok());
  fs_.FailSyncs(true);
  fs_.FailRenames(true);
  fs_.FailRemoves(true);
  fs_.FailDirectorySyncs(true);
  fs_.FailFileCreation(true);
  EXPECT_TRUE(IsInjected(file->Sync()));
  EXPECT_TRUE(IsInjected(fs_.Rename(dir_.File("f"), dir_.File("g"))));
  EXPECT_TRUE(IsInjected(fs_.RemoveFile(dir_.File("f"))));
  EXPECT_TRUE(IsInjected(fs_.SyncDirectory(dir_.path())));
  EXPECT_TRUE(IsInjected(fs_.NewWritableFile(dir_.File("h")).status()));
  EXPECT_EQ(*base_.ListDirectory(dir_.path()), std::vector<std::string>{"f"});
  // The failed sync made nothing durable.
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kKeepNames).ok());
  EXPECT_EQ(Contents("f"), "");
}

TEST_F(FaultInjectingFileSystemTest, HaltStopsEverything) {
  auto file = Open("f");
  fs_.HaltAfter(2);
  EXPECT_FALSE(fs_.halted());
  ASSERT_TRUE(file->Append("a").ok());
  ASSERT_TRUE(file->Append("b").ok());
  EXPECT_TRUE(fs_.halted());
  EXPECT_TRUE(IsInjected(file->Append("c")));
  EXPECT_TRUE(IsInjected(file->Sync()));
  EXPECT_TRUE(IsInjected(fs_.ListDirectory(dir_.path()).status()));
  EXPECT_TRUE(IsInjected(fs_.FileSize(dir_.File("f")).status()));
  EXPECT_TRUE(IsInjected(fs_.Map(dir_.File("f")).status()));
  EXPECT_TRUE(IsInjected(fs_.CreateDirectories(dir_.File("d"))));
  EXPECT_EQ(Contents("f"), "ab");
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kKeepNames).ok());
  EXPECT_FALSE(fs_.halted());
  EXPECT_TRUE(fs_.ListDirectory(dir_.path()).ok());
}

TEST_F(FaultInjectingFileSystemTest, CrashKeepsOnlySyncedData) {
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path()).ok());
  auto synced = Open("synced");
  ASSERT_TRUE(synced->Append("durable").ok());
  ASSERT_TRUE(synced->Sync().ok());
  ASSERT_TRUE(synced->Append(" lost").ok());
  auto never = Open("never");
  ASSERT_TRUE(never->Append("lost").ok());
  ASSERT_TRUE(never->Close().ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path()).ok());  // names durable, data not
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("synced"), "durable");
  EXPECT_EQ(Contents("never"), "");
  // The dead process's handle fails; the file system works again.
  EXPECT_TRUE(IsInjected(synced->Append("x")));
  EXPECT_TRUE(synced->Close().ok());
  auto again = Open("synced");
  ASSERT_TRUE(again->Append("new").ok());
  EXPECT_EQ(Contents("synced"), "new");
}

TEST_F(FaultInjectingFileSystemTest, FilesWrittenElsewhereAreDurable) {
  {
    auto file = base_.NewWritableFile(dir_.File("old"));
    ASSERT_TRUE((*file)->Append("before").ok());
  }
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("old"), "before");
}

TEST_F(FaultInjectingFileSystemTest, RewrittenFileLosesItsOldContents) {
  {
    auto file = base_.NewWritableFile(dir_.File("f"));
    ASSERT_TRUE((*file)->Append("old contents").ok());
  }
  auto file = Open("f");  // truncates
  ASSERT_TRUE(file->Append("new").ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kKeepNames).ok());
  EXPECT_EQ(Contents("f"), "");
}

TEST_F(FaultInjectingFileSystemTest, UnsyncedCreationIsUndone) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("f"), "<missing>");
}

TEST_F(FaultInjectingFileSystemTest, KeepNamesKeepsUnsyncedCreation) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kKeepNames).ok());
  EXPECT_EQ(Contents("f"), "data");
}

TEST_F(FaultInjectingFileSystemTest, UnsyncedRenameIsUndone) {
  auto file = Open("tmp");
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path()).ok());
  ASSERT_TRUE(fs_.Rename(dir_.File("tmp"), dir_.File("final")).ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("final"), "<missing>");
  EXPECT_EQ(Contents("tmp"), "data");
}

TEST_F(FaultInjectingFileSystemTest, SyncedRenameStays) {
  auto file = Open("tmp");
  ASSERT_TRUE(file->Append("data").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_.Rename(dir_.File("tmp"), dir_.File("final")).ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path() + "/").ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("final"), "data");
  EXPECT_EQ(Contents("tmp"), "<missing>");
}

TEST_F(FaultInjectingFileSystemTest, UnsyncedRenameOverAFileRestoresIt) {
  {
    auto old = base_.NewWritableFile(dir_.File("final"));
    ASSERT_TRUE((*old)->Append("old").ok());
  }
  auto file = Open("tmp");
  ASSERT_TRUE(file->Append("new").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(fs_.Rename(dir_.File("tmp"), dir_.File("final")).ok());
  EXPECT_EQ(Contents("final"), "new");
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("final"), "old");
  EXPECT_EQ(Contents("tmp"), "<missing>");  // its creation was not durable either
}

TEST_F(FaultInjectingFileSystemTest, RenameInAnotherDirectoryNeedsBothSynced) {
  ASSERT_TRUE(fs_.CreateDirectories(dir_.File("a")).ok());
  ASSERT_TRUE(fs_.CreateDirectories(dir_.File("b")).ok());
  {
    auto file = base_.NewWritableFile(dir_.File("a/f"));
    ASSERT_TRUE((*file)->Append("x").ok());
  }
  ASSERT_TRUE(fs_.Rename(dir_.File("a/f"), dir_.File("b/f")).ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.File("b")).ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("a/f"), "x");  // undone: a/ was not synced
  EXPECT_EQ(Contents("b/f"), "<missing>");
}

TEST_F(FaultInjectingFileSystemTest, UnsyncedRemovalIsUndoneWithDurableBytes) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("durable").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append(" lost").ok());
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path()).ok());
  ASSERT_TRUE(fs_.RemoveFile(dir_.File("f")).ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("f"), "durable");
}

TEST_F(FaultInjectingFileSystemTest, SyncedRemovalStays) {
  auto file = Open("f");
  ASSERT_TRUE(file->Append("x").ok());
  ASSERT_TRUE(fs_.RemoveFile(dir_.File("f")).ok());
  ASSERT_TRUE(fs_.SyncDirectory(dir_.path()).ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_EQ(Contents("f"), "<missing>");
  EXPECT_TRUE(fs_.ListDirectory(dir_.path())->empty());
}

TEST_F(FaultInjectingFileSystemTest, RemovedTreeStaysRemoved) {
  ASSERT_TRUE(fs_.CreateDirectories(dir_.File("t/u")).ok());
  auto file = Open("t/u/f");
  ASSERT_TRUE(file->Append("x").ok());
  ASSERT_TRUE(fs_.RemoveDirectoryTree(dir_.File("t")).ok());
  ASSERT_TRUE(fs_.SimulateCrash(CrashMode::kUndoUnsyncedNames).ok());
  EXPECT_TRUE(fs_.ListDirectory(dir_.path())->empty());
}

}  // namespace
}  // namespace cdp::columnar
