#pragma once
// Which containers to follow: an initial list, then the Docker events stream
// (start, die, destroy) with reconnects and backoff, plus a periodic
// reconcile, because events can be missed (a reconnect, a busy daemon).

#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "collector/follower.h"
#include "docker/follow_stream.h"
#include "docker/types.h"

namespace leakcheck::collector {

// True when a container with this name and these labels is to be followed
// (see FilterConfig). Pure.
bool wanted(const FilterConfig& filters, const std::string& name, const std::map<std::string, std::string>& labels);

using FollowerFactory = std::unique_ptr<Follower> (*)(CollectorContext&, FollowTarget);

class Discovery {
 public:
  Discovery(CollectorContext& context, FollowerFactory factory);

  // Lists the containers, follows the running ones that are wanted, and
  // forgets cursors of containers that no longer exist. Errors: the engine
  // could not be listed.
  boost::asio::awaitable<Status> initial();
  // The events and reconcile loops.
  void start();
  // Ends both loops and stops every follower (they stop in parallel).
  boost::asio::awaitable<void> stop();

  size_t followed() const { return followers_.size(); }

 private:
  boost::asio::awaitable<Status> reconcile();
  boost::asio::awaitable<void> follow(const std::string& id);
  boost::asio::awaitable<void> removed(const std::string& id);
  boost::asio::awaitable<void> events_loop();
  boost::asio::awaitable<void> reconcile_loop();
  boost::asio::awaitable<void> handle_event(const docker::Event& event);

  CollectorContext& ctx_;
  FollowerFactory factory_;
  std::map<std::string, std::unique_ptr<Follower>> followers_;
  std::set<std::string> pending_;  // being inspected before a follower exists
  docker::FollowStream* events_ = nullptr;  // the open events stream, to close on stop
  // One timer per loop: expires_after() cancels every wait on a timer, so
  // two loops sleeping on one timer wake each other at once (a busy loop
  // while the engine is down). stop() cancels both.
  boost::asio::steady_timer wake_;            // the events loop's backoff
  boost::asio::steady_timer reconcile_wake_;  // the reconcile loop's interval
  int loops_running_ = 0;
  boost::asio::steady_timer loops_done_;
  bool stopping_ = false;
};

}  // namespace leakcheck::collector
