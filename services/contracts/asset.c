/*  asset - the installed base: a product by model and serial, its customer,
    the day it was installed, the manufacturer's warranty (its last day, and
    whether it covers parts and labour). asset.get answers what covers it on
    a given day (cover.c keeps the periods).
*/
#include "contracts.h"

int asset_read (shr_call_t *call, const char *id, contracts_asset_t *out)
{
    return shr_call_get (call, "SELECT " ASSET_COLUMNS " FROM asset WHERE id = :id", NULL, NULL,
                         &contracts_asset_shape, out, SHR_TEXT (":id", id), SHR_END);
}

int asset_find (shr_call_t *call, const char *id, const char *field, contracts_asset_t *out)
{
    int found = asset_read (call, id, out);
    return found ? (found < 0 ? -1 : 0)
                 : shr_call_fail (call, SHR_NOT_FOUND, field, "no asset %s", id);
}

int asset_register (shr_call_t *call, const contracts_asset_register_request_t *request,
                    contracts_asset_t *reply)
{
    int64_t installed, ends;
    if (day_field (call, request->installed_on, "/body/installed_on", &installed)
        || day_field (call, request->warranty.ends_on, "/body/warranty/ends_on", &ends))
        return -1;
    if (ends < installed)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/warranty/ends_on",
                              "the warranty ends on %s, before the product was installed on %s",
                              request->warranty.ends_on, request->installed_on);
    contracts_asset_t known;
    int found = shr_call_get (call, "SELECT " ASSET_COLUMNS " FROM asset WHERE serial = :serial",
                              &contracts_asset_register_request_shape, request,
                              &contracts_asset_shape, &known, SHR_END);
    if (found)
        return found < 0 ? -1
                         : shr_call_fail (call, SHR_ALREADY_EXISTS, "/body/serial",
                                          "serial %s is asset %s already", request->serial,
                                          known.id);
    //  The id follows the seq SQLite gives the row: max + 1.
    if (shr_call_get (call,
                      "INSERT INTO asset (id, serial, model, customer_id, installed_on,"
                      " warranty_ends_on, warranty_parts, warranty_labour, covered_until,"
                      " registered_at_ms, updated_at_ms) VALUES (printf ('AS-%06d', (SELECT"
                      " coalesce (max (seq), 0) + 1 FROM asset)), :serial, :model, :customer_id,"
                      " :installed_on, :ends, :parts, :labour, :ends, :now, :now)"
                      " RETURNING " ASSET_COLUMNS,
                      &contracts_asset_register_request_shape, request, &contracts_asset_shape,
                      reply, SHR_TEXT (":ends", request->warranty.ends_on),
                      SHR_INT (":parts", request->warranty.parts),
                      SHR_INT (":labour", request->warranty.labour), SHR_END)
        != 1)
        return -1;
    event_asset_registered_t event = {.asset = *reply};
    return cover_periods (call, reply->id, &event.periods)
               || event_asset_registered_emit (call, reply->id, &event) < 0
               ? -1
               : 0;
}

int asset_get (shr_call_t *call, const contracts_asset_get_request_t *request,
               contracts_asset_get_reply_t *reply)
{
    if (!request->id && !request->serial)
        return shr_call_fail (call, SHR_INVALID_ARGUMENT, "/body/id", "give id or serial");
    int64_t on;
    if (day_field (call, request->on, "/body/on", &on))
        return -1;
    int found = shr_call_get (call,
                              request->id ? "SELECT " ASSET_COLUMNS " FROM asset WHERE id = :id"
                                            " AND (:serial IS NULL OR serial = :serial)"
                                          : "SELECT " ASSET_COLUMNS " FROM asset"
                                            " WHERE serial = :serial",
                              &contracts_asset_get_request_shape, request, &contracts_asset_shape,
                              &reply->asset, SHR_END);
    if (found <= 0)
        return found < 0 ? -1
               : request->id
                   ? shr_call_fail (call, SHR_NOT_FOUND, "/body/id", "no asset %s%s%s",
                                    request->id, request->serial ? " with serial " : "",
                                    request->serial ? request->serial : "")
                   : shr_call_fail (call, SHR_NOT_FOUND, "/body/serial", "no asset has serial %s",
                                    request->serial);
    if (cover_periods (call, reply->asset.id, &reply->periods))
        return -1;
    //  The covers of that day, in the periods' order: the first is what covers it.
    reply->on = day_text (call, on);
    reply->covers.items = (contracts_cover_t *) shr_call_alloc (
        call, (reply->periods.count + 1) * sizeof (contracts_cover_t));
    if (!reply->on || !reply->covers.items)
        return shr_call_fail (call, SHR_INTERNAL, NULL, "out of memory");
    for (size_t i = 0; i < reply->periods.count; i++) {
        const contracts_cover_t *cover = &reply->periods.items[i];
        if (strcmp (cover->starts_on, reply->on) <= 0 && strcmp (reply->on, cover->ends_on) <= 0)
            reply->covers.items[reply->covers.count++] = *cover;
    }
    reply->covered_by = reply->covers.count ? reply->covers.items[0].kind : "none";
    //  And the parts a repair under cover replaced, still covered that day.
    return shr_call_list (call,
                          "SELECT part_id, ends_on AS covered_until, workorder_id FROM part_cover"
                          " WHERE serial = :serial AND ends_on >= :on ORDER BY part_id",
                          NULL, NULL, &contracts_part_cover_shape, &reply->parts_covered, 0, NULL,
                          SHR_TEXT (":serial", reply->asset.serial), SHR_TEXT (":on", reply->on),
                          SHR_END);
}

int asset_list (shr_call_t *call, const contracts_asset_list_request_t *request,
                contracts_asset_list_reply_t *reply)
{
    //  The cursor is the last id of the page before; one that names no asset ends the list.
    return shr_call_list (
        call,
        request->customer_id
            ? "SELECT " ASSET_COLUMNS ", id AS _cursor FROM asset WHERE customer_id ="
              " :customer_id AND seq > coalesce ((SELECT seq FROM asset WHERE id = :cursor),"
              " iif (:cursor IS NULL, 0, NULL)) AND (:model IS NULL OR model = :model)"
              " ORDER BY seq LIMIT :limit + 1"
            : "SELECT " ASSET_COLUMNS ", id AS _cursor FROM asset WHERE seq > coalesce ((SELECT"
              " seq FROM asset WHERE id = :cursor), iif (:cursor IS NULL, 0, NULL))"
              " AND (:model IS NULL OR model = :model) ORDER BY seq LIMIT :limit + 1",
        &contracts_asset_list_request_shape, request, &contracts_asset_shape, &reply->items,
        request->limit, &reply->next_cursor, SHR_END);
}
