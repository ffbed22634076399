// ResponseSink: how a handler answers one HTTP request, without seeing the transport. The
// session behind it (http_session.cc) serializes everything onto its connection's strand.
//
// A handler calls exactly one of Send (a complete response) or BeginStream + WriteChunk* +
// EndStream (a chunked response, e.g. Server-Sent Events). It may answer later: keep the
// shared_ptr, and come back to the connection's strand with Post().
//
// Thread-safety: Post() is safe from any thread (the engine thread uses it to wake a request).
// Every other method must be called on the connection's strand: inside the handler call or a
// function run by Post(). Calls after the client went away are ignored.
#pragma once

#include <functional>
#include <string>

#include "server/http_message.h"

namespace dsinfer::server {

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;

  virtual void Send(HttpResponse response) = 0;
  // Starts a chunked response with `status` and `headers` (Content-Type must be set).
  virtual void BeginStream(int status, HttpHeaders headers) = 0;
  // Queues one chunk (empty chunks are dropped: an empty chunk would end the body).
  virtual void WriteChunk(std::string data) = 0;
  // Sends the terminating chunk; the connection then serves its next request.
  virtual void EndStream() = 0;

  // Runs `fn` on the connection's strand (never inline). `fn` runs even after a disconnect.
  virtual void Post(std::function<void()> fn) = 0;
  // `fn` runs once, on the strand, if the client disconnects before the response is complete.
  virtual void OnDisconnect(std::function<void()> fn) = 0;
  // False once the client went away (writes are then discarded).
  virtual bool connected() const = 0;
};

}  // namespace dsinfer::server
