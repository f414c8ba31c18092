#include "store/columnar/io/posix_file_system.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace cdp::columnar {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void WriteFile(const std::string& path, std::string_view contents) {
    auto file = fs_.NewWritableFile(path);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(contents).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string ReadFile(const std::string& path) {
    auto file = fs_.NewRandomAccessFile(path);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    if (!file.ok()) return {};
    std::string contents(*(*file)->Size(), '\0');
    EXPECT_EQ(*(*file)->ReadAt(0, contents.size(), contents.data()), contents.size());
    return contents;
  }

  PosixFileSystem fs_;
  testing::TempDir dir_;
};

TEST_F(PosixFileSystemTest, WriteSyncAndReadBack) {
  const std::string path = dir_.File("f");
  auto file = fs_.NewWritableFile(path);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->path(), path);
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok());  // twice is fine
  EXPECT_EQ(*fs_.FileSize(path), 11u);
  EXPECT_EQ(ReadFile(path), "hello world");

  auto reader = fs_.NewRandomAccessFile(path);
  ASSERT_TRUE(reader.ok());
  char buffer[16];
  EXPECT_EQ(*(*reader)->ReadAt(6, sizeof(buffer), buffer), 5u);  // fewer at the end
  EXPECT_EQ(std::string_view(buffer, 5), "world");
  EXPECT_EQ(*(*reader)->ReadAt(11, sizeof(buffer), buffer), 0u);
  EXPECT_EQ(*(*reader)->ReadAt(100, sizeof(buffer), buffer), 0u);
}

TEST_F(PosixFileSystemTest, NewWritableFileTruncates) {
  WriteFile(dir_.File("f"), "a long first version");
  WriteFile(dir_.File("f"), "short");
  EXPECT_EQ(ReadFile(dir_.File("f")), "short");
}

TEST_F(PosixFileSystemTest, MapWholeFile) {
  WriteFile(dir_.File("f"), "mapped bytes");
  auto mapped = fs_.Map(dir_.File("f"));
  ASSERT_TRUE(mapped.ok());
  EXPECT_EQ((*mapped)->data(), "mapped bytes");
  EXPECT_EQ(reinterpret_cast<uintptr_t>((*mapped)->data().data()) % 4096, 0u);
  EXPECT_EQ((*mapped)->path(), dir_.File("f"));
  ASSERT_TRUE(fs_.RemoveFile(dir_.File("f")).ok());
  EXPECT_EQ((*mapped)->data(), "mapped bytes");  // the mapping keeps the bytes
}

TEST_F(PosixFileSystemTest, MapEmptyFile) {
  WriteFile(dir_.File("empty"), "");
  auto mapped = fs_.Map(dir_.File("empty"));
  ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
  EXPECT_TRUE((*mapped)->data().empty());
}

TEST_F(PosixFileSystemTest, MemoryMappedFileIsAligned) {
  auto file = NewMemoryMappedFile("memory", "some bytes");
  EXPECT_EQ(file->data(), "some bytes");
  EXPECT_EQ(reinterpret_cast<uintptr_t>(file->data().data()) % 8, 0u);
  EXPECT_TRUE(NewMemoryMappedFile("empty", "")->data().empty());
}

TEST_F(PosixFileSystemTest, Directories) {
  const std::string deep = dir_.File("a/b/c");
  ASSERT_TRUE(fs_.CreateDirectories(deep).ok());
  ASSERT_TRUE(fs_.CreateDirectories(deep).ok());  // exists: fine
  ASSERT_TRUE(fs_.CreateDirectories(deep + "/").ok());
  WriteFile(deep + "/z", "1");
  WriteFile(deep + "/y", "2");
  ASSERT_TRUE(fs_.CreateDirectories(deep + "/x").ok());
  EXPECT_EQ(*fs_.ListDirectory(deep), (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_TRUE(fs_.SyncDirectory(deep).ok());

  const Status blocked = fs_.CreateDirectories(deep + "/z/sub");
  EXPECT_FALSE(blocked.ok());
  EXPECT_NE(blocked.cause().find(deep + "/z"), std::string::npos) << blocked.ToString();

  ASSERT_TRUE(fs_.RemoveDirectoryTree(dir_.File("a")).ok());
  EXPECT_TRUE(fs_.ListDirectory(dir_.path())->empty());
  EXPECT_TRUE(fs_.RemoveDirectoryTree(dir_.File("a")).ok());  // missing: fine
  EXPECT_FALSE(fs_.CreateDirectories("").ok());
}

TEST_F(PosixFileSystemTest, RenameReplaces) {
  WriteFile(dir_.File("from"), "new");
  WriteFile(dir_.File("to"), "old");
  ASSERT_TRUE(fs_.Rename(dir_.File("from"), dir_.File("to")).ok());
  EXPECT_EQ(ReadFile(dir_.File("to")), "new");
  EXPECT_EQ(*fs_.ListDirectory(dir_.path()), std::vector<std::string>{"to"});
}

TEST_F(PosixFileSystemTest, ErrorsNameOperationPathAndCause) {
  const std::string missing = dir_.File("missing");
  auto expect_not_found = [&](const Status& status, std::string_view operation) {
    EXPECT_EQ(status.code(), ErrorCode::kNotFound) << status.ToString();
    EXPECT_EQ(status.cause(),
              "cannot " + std::string(operation) + " " + missing + ": No such file or directory");
    EXPECT_EQ(status.cause().find(missing) != std::string::npos &&
                  status.message().find(missing) == std::string::npos,
              true)
        << "the path belongs in the cause, not the message";
  };
  expect_not_found(fs_.RemoveFile(missing), "remove");
  expect_not_found(fs_.FileSize(missing).status(), "stat");
  expect_not_found(fs_.NewRandomAccessFile(missing).status(), "open");
  expect_not_found(fs_.Map(missing).status(), "open");
  expect_not_found(fs_.ListDirectory(missing).status(), "open directory");
  expect_not_found(fs_.SyncDirectory(missing), "open directory");
  expect_not_found(fs_.FreeSpace(missing).status(), "stat file system of");
  EXPECT_EQ(fs_.Rename(missing, dir_.File("x")).code(), ErrorCode::kNotFound);
  EXPECT_EQ(fs_.NewWritableFile(dir_.File("no/dir/f")).status().code(), ErrorCode::kNotFound);

  ASSERT_TRUE(fs_.CreateDirectories(dir_.File("d")).ok());
  const Status is_directory = fs_.RemoveFile(dir_.File("d"));
  EXPECT_EQ(is_directory.code(), ErrorCode::kInternal);
  EXPECT_EQ(is_directory.cause().rfind("cannot remove " + dir_.File("d") + ": ", 0), 0u)
      << is_directory.ToString();
}

TEST_F(PosixFileSystemTest, FreeSpace) {
  auto free = fs_.FreeSpace(dir_.path());
  ASSERT_TRUE(free.ok()) << free.status().ToString();
  EXPECT_GT(*free, 0u);
}

TEST(PathTest, Helpers) {
  EXPECT_EQ(DirectoryOf("a/b/c"), "a/b");
  EXPECT_EQ(DirectoryOf("/c"), "/");
  EXPECT_EQ(DirectoryOf("c"), ".");
  EXPECT_EQ(BaseNameOf("a/b/c"), "c");
  EXPECT_EQ(BaseNameOf("c"), "c");
  EXPECT_EQ(BaseNameOf("a/"), "");
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
}

}  // namespace
}  // namespace cdp::columnar
