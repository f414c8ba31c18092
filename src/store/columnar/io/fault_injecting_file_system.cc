#include "store/columnar/io/fault_injecting_file_system.h"

#include <algorithm>
#include <cerrno>
#include <utility>

namespace cdp::columnar {
namespace {

Status Injected(std::string_view operation, std::string_view path, int error_number = EIO) {
  Status status = FileSystemError(operation, path, error_number);
  std::string cause = status.cause() + " (injected)";
  status.WithCause(std::move(cause));
  return status;
}

std::string NormalDirectory(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

class FaultInjectingFileSystem::File final : public WritableFile {
 public:
  File(FaultInjectingFileSystem& fs, std::unique_ptr<WritableFile> base,
       std::shared_ptr<FileState> state, uint64_t epoch)
      : fs_(fs), base_(std::move(base)), state_(std::move(state)), epoch_(epoch) {}

  Status Append(std::string_view data) override {
    std::lock_guard lock(fs_.mutex_);
    return fs_.AppendTo(*this, data);
  }
  Status Sync() override {
    std::lock_guard lock(fs_.mutex_);
    return fs_.SyncFile(*this);
  }
  Status Close() override {
    std::lock_guard lock(fs_.mutex_);
    return fs_.CloseFile(*this);
  }
  const std::string& path() const override { return base_->path(); }

 private:
  friend class FaultInjectingFileSystem;
  FaultInjectingFileSystem& fs_;
  const std::unique_ptr<WritableFile> base_;
  const std::shared_ptr<FileState> state_;
  const uint64_t epoch_;
  bool closed_ = false;
};

FaultInjectingFileSystem::FaultInjectingFileSystem(FileSystem& base) : base_(base) {}
FaultInjectingFileSystem::~FaultInjectingFileSystem() = default;

// --- Faults ---

void FaultInjectingFileSystem::FailAppend(uint64_t append_index, size_t bytes_written_first) {
  std::lock_guard lock(mutex_);
  fail_append_index_ = append_index;
  fail_append_written_ = bytes_written_first;
}

void FaultInjectingFileSystem::LimitAppendedBytes(uint64_t budget, int error_number) {
  std::lock_guard lock(mutex_);
  append_byte_limit_ = bytes_appended_ + budget;
  append_limit_errno_ = error_number;
}

void FaultInjectingFileSystem::FailSyncs(bool fail) {
  std::lock_guard lock(mutex_);
  fail_syncs_ = fail;
}

void FaultInjectingFileSystem::FailRenames(bool fail) {
  std::lock_guard lock(mutex_);
  fail_renames_ = fail;
}

void FaultInjectingFileSystem::FailRemoves(bool fail) {
  std::lock_guard lock(mutex_);
  fail_removes_ = fail;
}

void FaultInjectingFileSystem::FailDirectorySyncs(bool fail) {
  std::lock_guard lock(mutex_);
  fail_directory_syncs_ = fail;
}

void FaultInjectingFileSystem::FailFileCreation(bool fail) {
  std::lock_guard lock(mutex_);
  fail_file_creation_ = fail;
}

void FaultInjectingFileSystem::HaltAfter(uint64_t operations) {
  std::lock_guard lock(mutex_);
  halt_at_operation_ = operations_ + operations;
}

void FaultInjectingFileSystem::ClearFaults() {
  std::lock_guard lock(mutex_);
  ClearFaultsLocked();
}

void FaultInjectingFileSystem::ClearFaultsLocked() {
  fail_append_index_.reset();
  fail_append_written_ = 0;
  append_byte_limit_.reset();
  append_limit_errno_ = 0;
  fail_syncs_ = false;
  fail_renames_ = false;
  fail_removes_ = false;
  fail_directory_syncs_ = false;
  fail_file_creation_ = false;
  halt_at_operation_.reset();
  halted_ = false;
}

// --- Counters ---

uint64_t FaultInjectingFileSystem::appends() const {
  std::lock_guard lock(mutex_);
  return appends_;
}

uint64_t FaultInjectingFileSystem::bytes_appended() const {
  std::lock_guard lock(mutex_);
  return bytes_appended_;
}

uint64_t FaultInjectingFileSystem::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}

bool FaultInjectingFileSystem::halted() const {
  std::lock_guard lock(mutex_);
  return halted_ || (halt_at_operation_ && operations_ >= *halt_at_operation_);
}

// --- Helpers (under mutex_) ---

Status FaultInjectingFileSystem::BeginOperation(std::string_view operation, std::string_view path) {
  CDP_RETURN_IF_ERROR(CheckNotHalted(operation, path));
  ++operations_;
  return Status::Ok();
}

Status FaultInjectingFileSystem::CheckNotHalted(std::string_view operation, std::string_view path) {
  if (halt_at_operation_ && operations_ >= *halt_at_operation_) halted_ = true;
  if (halted_) return Injected(operation, path);
  return Status::Ok();
}

Result<std::string> FaultInjectingFileSystem::DurableContents(const std::string& path) {
  CDP_ASSIGN_OR_RETURN(auto file, base_.NewRandomAccessFile(path));
  CDP_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  const auto tracked = files_.find(path);
  if (tracked != files_.end()) size = std::min(size, tracked->second->synced_size);
  std::string contents(size, '\0');
  CDP_ASSIGN_OR_RETURN(const size_t read, file->ReadAt(0, contents.size(), contents.data()));
  contents.resize(read);
  return contents;
}

Status FaultInjectingFileSystem::WriteBaseFile(const std::string& path,
                                               const std::string& contents) {
  CDP_ASSIGN_OR_RETURN(auto file, base_.NewWritableFile(path));
  CDP_RETURN_IF_ERROR(file->Append(contents));
  CDP_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

// A missing path means a later RemoveDirectoryTree took it: nothing to undo.
Status FaultInjectingFileSystem::UndoNameChange(const NameChange& change) {
  auto ignore_missing = [](Status status) {
    return status.code() == ErrorCode::kNotFound ? Status::Ok() : status;
  };
  switch (change.kind) {
    case NameChange::Kind::kCreate:
      files_.erase(change.path);
      return ignore_missing(base_.RemoveFile(change.path));
    case NameChange::Kind::kRename: {
      CDP_RETURN_IF_ERROR(ignore_missing(base_.Rename(change.path, change.from)));
      files_.erase(change.from);
      if (auto node = files_.extract(change.path)) {
        node.key() = change.from;
        files_.insert(std::move(node));
      }
      if (!change.replaced) return Status::Ok();
      return ignore_missing(WriteBaseFile(change.path, *change.replaced));
    }
    case NameChange::Kind::kRemove:
      return ignore_missing(WriteBaseFile(change.path, *change.replaced));
  }
  return Status::Ok();
}

void FaultInjectingFileSystem::ForgetUnder(const std::string& dir) {
  const std::string prefix = NormalDirectory(dir) + "/";
  std::erase_if(files_, [&](const auto& entry) {
    return entry.first == dir || entry.first.compare(0, prefix.size(), prefix) == 0;
  });
}

// --- Files ---

Status FaultInjectingFileSystem::AppendTo(File& file, std::string_view data) {
  if (file.epoch_ != epoch_ || file.closed_) return Injected("write", file.path());
  CDP_RETURN_IF_ERROR(BeginOperation("write", file.path()));
  const uint64_t index = appends_++;
  size_t allowed = data.size();
  int error_number = 0;
  if (fail_append_index_ && *fail_append_index_ == index) {
    allowed = std::min(allowed, fail_append_written_);
    error_number = EIO;
  }
  if (append_byte_limit_) {
    const uint64_t left =
        *append_byte_limit_ > bytes_appended_ ? *append_byte_limit_ - bytes_appended_ : 0;
    if (allowed > left) {
      allowed = static_cast<size_t>(left);
      error_number = append_limit_errno_;
    }
  }
  if (allowed > 0) {
    CDP_RETURN_IF_ERROR(file.base_->Append(data.substr(0, allowed)));
    bytes_appended_ += allowed;
    file.state_->size += allowed;
  }
  if (error_number != 0) return Injected("write", file.path(), error_number);
  return Status::Ok();
}

Status FaultInjectingFileSystem::SyncFile(File& file) {
  if (file.epoch_ != epoch_ || file.closed_) return Injected("sync", file.path());
  CDP_RETURN_IF_ERROR(BeginOperation("sync", file.path()));
  if (fail_syncs_) return Injected("sync", file.path());
  CDP_RETURN_IF_ERROR(file.base_->Sync());
  file.state_->synced_size = file.state_->size;
  return Status::Ok();
}

Status FaultInjectingFileSystem::CloseFile(File& file) {
  if (file.closed_) return Status::Ok();
  if (file.epoch_ == epoch_) CDP_RETURN_IF_ERROR(BeginOperation("close", file.path()));
  file.closed_ = true;
  return file.base_->Close();
}

// --- FileSystem ---

Status FaultInjectingFileSystem::CreateDirectories(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(BeginOperation("create directory", path));
  return base_.CreateDirectories(path);
}

Result<std::vector<std::string>> FaultInjectingFileSystem::ListDirectory(const std::string& dir) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckNotHalted("list directory", dir));
  return base_.ListDirectory(dir);
}

Result<std::unique_ptr<WritableFile>> FaultInjectingFileSystem::NewWritableFile(
    const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(BeginOperation("create", path));
  if (fail_file_creation_) return Injected("create", path);
  Result<uint64_t> existing = base_.FileSize(path);
  if (!existing.ok() && existing.status().code() != ErrorCode::kNotFound) {
    return std::move(existing).TakeStatus();
  }
  CDP_ASSIGN_OR_RETURN(auto base_file, base_.NewWritableFile(path));
  auto state = std::make_shared<FileState>();
  files_[path] = state;
  if (!existing.ok()) {
    unsynced_names_.push_back(
        {NameChange::Kind::kCreate, path, "", std::nullopt, {NormalDirectory(DirectoryOf(path))}});
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<File>(*this, std::move(base_file), std::move(state), epoch_));
}

Result<std::unique_ptr<RandomAccessFile>> FaultInjectingFileSystem::NewRandomAccessFile(
    const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckNotHalted("open", path));
  return base_.NewRandomAccessFile(path);
}

Result<std::shared_ptr<const MappedFile>> FaultInjectingFileSystem::Map(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckNotHalted("map", path));
  return base_.Map(path);
}

Status FaultInjectingFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  const std::string both = from + " to " + to;
  CDP_RETURN_IF_ERROR(BeginOperation("rename", both));
  if (fail_renames_) return Injected("rename", both);
  if (from == to) return base_.Rename(from, to);
  std::optional<std::string> replaced;
  if (base_.FileSize(to).ok()) {
    CDP_ASSIGN_OR_RETURN(replaced, DurableContents(to));
  }
  CDP_RETURN_IF_ERROR(base_.Rename(from, to));
  files_.erase(to);
  if (auto node = files_.extract(from)) {
    node.key() = to;
    files_.insert(std::move(node));
  }
  unsynced_names_.push_back(
      {NameChange::Kind::kRename,
       to,
       from,
       std::move(replaced),
       {NormalDirectory(DirectoryOf(from)), NormalDirectory(DirectoryOf(to))}});
  return Status::Ok();
}

Status FaultInjectingFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(BeginOperation("remove", path));
  if (fail_removes_) return Injected("remove", path);
  Result<std::string> contents = DurableContents(path);
  if (!contents.ok() && contents.status().code() == ErrorCode::kNotFound) {
    return base_.RemoveFile(path);  // the base file system's own error
  }
  if (!contents.ok()) return std::move(contents).TakeStatus();
  CDP_RETURN_IF_ERROR(base_.RemoveFile(path));
  files_.erase(path);
  unsynced_names_.push_back({NameChange::Kind::kRemove,
                             path,
                             "",
                             std::move(contents).value(),
                             {NormalDirectory(DirectoryOf(path))}});
  return Status::Ok();
}

Status FaultInjectingFileSystem::RemoveDirectoryTree(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(BeginOperation("remove directory tree", path));
  CDP_RETURN_IF_ERROR(base_.RemoveDirectoryTree(path));
  ForgetUnder(path);
  return Status::Ok();
}

Status FaultInjectingFileSystem::SyncDirectory(const std::string& dir) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(BeginOperation("sync directory", dir));
  if (fail_directory_syncs_) return Injected("sync directory", dir);
  CDP_RETURN_IF_ERROR(base_.SyncDirectory(dir));
  const std::string normal = NormalDirectory(dir);
  for (NameChange& change : unsynced_names_) change.unsynced_dirs.erase(normal);
  std::erase_if(unsynced_names_,
                [](const NameChange& change) { return change.unsynced_dirs.empty(); });
  return Status::Ok();
}

Result<uint64_t> FaultInjectingFileSystem::FileSize(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckNotHalted("stat", path));
  return base_.FileSize(path);
}

Result<uint64_t> FaultInjectingFileSystem::FreeSpace(const std::string& path) {
  std::lock_guard lock(mutex_);
  CDP_RETURN_IF_ERROR(CheckNotHalted("stat file system of", path));
  CDP_ASSIGN_OR_RETURN(uint64_t free, base_.FreeSpace(path));
  if (append_byte_limit_ && append_limit_errno_ == ENOSPC) {
    const uint64_t left =
        *append_byte_limit_ > bytes_appended_ ? *append_byte_limit_ - bytes_appended_ : 0;
    free = std::min(free, left);
  }
  return free;
}

// --- Power loss ---

Status FaultInjectingFileSystem::SimulateCrash(CrashMode mode) {
  std::lock_guard lock(mutex_);
  ++epoch_;  // files opened before are dead
  ClearFaultsLocked();
  if (mode == CrashMode::kUndoUnsyncedNames) {
    for (auto change = unsynced_names_.rbegin(); change != unsynced_names_.rend(); ++change) {
      CDP_RETURN_IF_ERROR(UndoNameChange(*change));
    }
  }
  unsynced_names_.clear();
  for (const auto& [path, state] : files_) {
    Result<uint64_t> size = base_.FileSize(path);
    if (!size.ok() && size.status().code() == ErrorCode::kNotFound) continue;
    if (!size.ok()) return std::move(size).TakeStatus();
    if (*size <= state->synced_size) continue;
    CDP_ASSIGN_OR_RETURN(std::string contents, DurableContents(path));
    CDP_RETURN_IF_ERROR(WriteBaseFile(path, contents));
  }
  files_.clear();
  return Status::Ok();
}

}  // namespace cdp::columnar
