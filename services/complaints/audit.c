/*  audit - the trail of every action on a complaint: who (the name on the
    caller's key, and the by it gave), when, what changed from what to what,
    and the note. Each row is written in the transaction of the action it
    records, and the table's triggers refuse to change or delete one.
*/
#include "complaints.h"

int audit_record (shr_call_t *call, int64_t complaint_seq, const char *action, const char *by,
                  const char *note, const complaints_change_t *changes, size_t count)
{
    complaints_audit_entry_t entry = {.action = action, .actor = call->actor, .by = by,
                                      .note = note};
    entry.changes.count = count;
    entry.changes.items = (complaints_change_t *) changes;
    return shr_call_exec (call,
                          "INSERT INTO complaint_audit (complaint_seq, at_ms, action, actor, by,"
                          " note, changes) VALUES (:seq, :now, :action, :actor, :by, :note,"
                          " :changes)",
                          &complaints_audit_entry_shape, &entry, SHR_INT (":seq", complaint_seq),
                          SHR_END);
}

int audit_read (shr_call_t *call, int64_t complaint_seq, void *trail)
{
    return shr_call_list (call,
                          "SELECT at_ms AS at, action, actor, by, note, changes FROM"
                          " complaint_audit WHERE complaint_seq = :seq ORDER BY n",
                          NULL, NULL, &complaints_audit_entry_shape, trail, 0, NULL,
                          SHR_INT (":seq", complaint_seq), SHR_END);
}
