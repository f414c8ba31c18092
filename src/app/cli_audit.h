#pragma once

#include <string>
#include <string_view>

#include "core/config.h"
#include "meta/audit_log.h"

namespace cdp {

// The command line as the audit log names it: kind cli, no id, and the
// name of the OS user running the command (from the password database;
// $USER when the uid has no entry; "uid N" when neither says).
AuditActor CommandLineActor();

// Appends what the command line just did in a workspace to the audit log of
// the metadata database at config.MetaDbPath(). `details`: a JSON object
// text; never a secret. The action has already happened, so a failure to
// record it does not fail the command: it is printed as a warning on stderr
// (and logged), never silently dropped.
void RecordCommandLineAudit(const Config& config, std::string_view workspace_id,
                            std::string_view action, std::string_view target_kind,
                            std::string_view target_id, std::string details);

}  // namespace cdp
