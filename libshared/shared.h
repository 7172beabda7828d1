/*  shared.h - everything a service needs from libshared, in one include. */
#ifndef SHARED_H_INCLUDED
#define SHARED_H_INCLUDED

#include "shr_arena.h"
#include "shr_body.h"
#include "shr_call.h"
#include "shr_client.h"
#include "shr_config.h"
#include "shr_json.h"
#include "shr_consumer.h"
#include "shr_log.h"
#include "shr_msg.h"
#include "shr_outbox.h"
#include "shr_schema.h"
#include "shr_server.h"
#include "shr_shape.h"
#include "shr_service.h"
#include "shr_socket.h"
#include "shr_stats.h"
#include "shr_store.h"
#include "shr_time.h"
#include "shr_work.h"

#endif
