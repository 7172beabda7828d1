/*  survey - satisfaction surveys: one opened for each completed work order
    and each closed complaint, answered with a score 0-10 (survey.answer, or
    the customer_score that dispatch's workorder.accepted carries for its
    order). A score at or below COMPLAINTS_RECOVERY_THRESHOLD opens a
    recovery case by itself (kind complaint, category service_quality,
    channel survey, linked to the survey and the work order, its severity by
    recovery_policy.c), so that no unhappy customer goes unanswered.

        open -> answered
*/
#include "complaints.h"
#include "recovery_policy.h"

#define TEXT_LIMIT 4000  //  characters, as schemas/complaints/defs.json#/definitions/text

static int s_load (shr_call_t *call, const char *id, complaints_survey_t *out)
{
    int found = shr_call_get (call, "SELECT " SURVEY_COLUMNS " FROM survey WHERE id = :id", NULL,
                              NULL, &complaints_survey_shape, out, SHR_TEXT (":id", id), SHR_END);
    if (found == 0)
        return shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no survey %s", id);
    return found < 0 ? -1 : 0;
}

int survey_open (shr_call_t *call, const char *customer_id, const char *subject,
                 const char *workorder_id, const char *complaint_id)
{
    complaints_customer_t customer;
    if (customer_read (call, customer_id, &customer) != 1)
        return shr_call_db_error (call);
    int64_t seq;
    const char *id;
    if (complaints_next_id (call, "SELECT coalesce (max (seq), 0) + 1 FROM survey", "SV", &seq,
                            &id))
        return -1;
    complaints_survey_t survey;
    if (shr_call_exec (call,
                       "INSERT INTO survey (seq, id, customer_id, region, subject, workorder_id,"
                       " complaint_id, status, opened_at_ms) VALUES (:seq, :id, :customer,"
                       " :region, :subject, :workorder, :complaint, 'open', :now)",
                       NULL, NULL, SHR_INT (":seq", seq), SHR_TEXT (":id", id),
                       SHR_TEXT (":customer", customer_id), SHR_TEXT (":region", customer.region),
                       SHR_TEXT (":subject", subject), SHR_TEXT (":workorder", workorder_id),
                       SHR_TEXT (":complaint", complaint_id), SHR_END)
        || s_load (call, id, &survey))
        return -1;
    event_survey_opened_t event = {.survey = survey, .consent = customer.consent};
    return event_survey_opened_emit (call, id, &event) < 0 ? -1 : 0;
}

//  text cut to at most limit characters (UTF-8: never inside one), in the arena.
static const char *s_clip (shr_call_t *call, const char *text, size_t limit)
{
    size_t characters = 0, end = 0;
    while (text[end]) {
        if (((unsigned char) text[end] & 0xC0) != 0x80 && characters++ == limit)
            break;
        end++;
    }
    return shr_call_printf (call, "%.*s", (int) end, text);
}

//  Opens the recovery case of a low score; *case_id is its id, or NULL when
//  the score opens none. Returns 0 or -1.
static int s_recover (shr_call_t *call, const complaints_survey_t *survey, int64_t score,
                      const char *comment, const char **case_id)
{
    const complaints_settings_t *settings = (const complaints_settings_t *) call->arg;
    const char *severity = recovery_severity (score, settings->recovery_threshold);
    *case_id = NULL;
    if (!severity)
        return 0;
    const char *about = survey->workorder_id ? survey->workorder_id : survey->complaint_id;
    complaints_complaint_create_request_t request = {
        .customer_id = survey->customer_id,
        .kind = "complaint",
        .channel = "survey",
        .category = "service_quality",
        .severity = severity,
        .workorder_id = survey->workorder_id,
        .text = s_clip (call,
                        shr_call_printf (call, "Recovery: the customer scored %lld of 10 on %s"
                                               " (about %s)%s%s",
                                         (long long) score, survey->id, about,
                                         comment && *comment ? ": " : "", comment ? comment : ""),
                        TEXT_LIMIT)};
    complaint_t complaint;
    if (complaint_insert (call, &request, survey->id, &complaint))
        return -1;
    *case_id = complaint.summary.id;
    shr_log_info ("%s scored %lld: recovery case %s (%s)", survey->id, (long long) score, *case_id,
                  severity);
    return 0;
}

//  Records the answer (source "survey" or "acceptance"), opens a recovery
//  case if the score calls for one, and announces it. Fills reply.
static int s_answer (shr_call_t *call, const complaints_survey_t *survey, int64_t score,
                     const char *comment, const char *source, const char *by,
                     complaints_survey_t *reply)
{
    const char *case_id;
    if (s_recover (call, survey, score, comment, &case_id)
        || shr_call_exec (call,
                          "UPDATE survey SET status = 'answered', score = :score,"
                          " comment = :comment, source = :source, by = :by,"
                          " answered_at_ms = :now, recovery_complaint_id = :case WHERE id = :id",
                          NULL, NULL, SHR_INT (":score", score), SHR_TEXT (":comment", comment),
                          SHR_TEXT (":source", source), SHR_TEXT (":by", by),
                          SHR_TEXT (":case", case_id), SHR_TEXT (":id", survey->id), SHR_END)
        || s_load (call, survey->id, reply))
        return -1;
    event_survey_answered_t event = {.survey = *reply, .by = by};
    return event_survey_answered_emit (call, survey->id, &event) < 0 ? -1 : 0;
}

int survey_answer (shr_call_t *call, const complaints_survey_answer_request_t *request,
                   complaints_survey_t *reply)
{
    complaints_survey_t survey;
    if (s_load (call, request->id, &survey))
        return -1;
    if (!streq (survey.status, "open"))
        return shr_call_fail (call, SHR_FAILED_PRECONDITION, "/body/id",
                              "cannot answer %s: it is %s (score %lld); answer needs it open",
                              request->id, survey.status, (long long) survey.score);
    return s_answer (call, &survey, request->score, request->comment, "survey", request->by,
                     reply);
}

int survey_answer_from_acceptance (shr_call_t *call, const char *workorder_id, int64_t score)
{
    complaints_survey_t survey, answered;
    int found = shr_call_get (call,
                              "SELECT " SURVEY_COLUMNS " FROM survey WHERE subject = 'workorder'"
                              " AND workorder_id = :workorder",
                              NULL, NULL, &complaints_survey_shape, &survey,
                              SHR_TEXT (":workorder", workorder_id), SHR_END);
    if (found < 0)
        return -1;
    if (!found || !streq (survey.status, "open")) {
        shr_log_info ("the acceptance score of %s answers no open survey", workorder_id);
        return 0;
    }
    return s_answer (call, &survey, score, NULL, "acceptance", NULL, &answered);
}

int survey_list (shr_call_t *call, const complaints_survey_list_request_t *request,
                 complaints_survey_list_reply_t *reply)
{
    int64_t after;
    if (complaints_cursor (call, request->cursor, "survey.list", &after))
        return -1;
    return shr_call_list (
        call,
        "SELECT " SURVEY_COLUMNS ", seq AS _cursor FROM survey WHERE seq > :after"
        " AND (:customer_id IS NULL OR customer_id = :customer_id)"
        " AND (:status IS NULL OR status = :status)"
        " AND (:workorder_id IS NULL OR workorder_id = :workorder_id)"
        " AND (:complaint_id IS NULL OR complaint_id = :complaint_id)"
        " ORDER BY seq LIMIT :limit + 1",
        &complaints_survey_list_request_shape, request, &complaints_survey_shape, &reply->items,
        request->limit, &reply->next_cursor, SHR_INT (":after", after), SHR_END);
}
