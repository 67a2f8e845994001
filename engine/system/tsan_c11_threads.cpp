// C11 thread creation (<threads.h>) on top of pthreads, linked only into the
// ThreadSanitizer build (LOGPIPE_TSAN) of the logpipe binary and the tests.
//
// Why: librdkafka runs its threads with C11's thrd_create and locks with
// mtx_* / cnd_*. glibc implements those by calling its pthread functions
// internally, past the interceptors of GCC 12's TSan runtime, so a thread
// librdkafka starts has no TSan state (its first malloc crashes: "SEGV in
// SizeClassAllocator64LocalCache::Allocate" on an "rdk:" thread). Defined
// here in the executable, these take precedence over glibc's for librdkafka
// and call pthread_create/join, which TSan intercepts. librdkafka's mtx_* and
// cnd_* are left to glibc: what happens inside librdkafka is not checked
// (tests/tsan.supp says why).
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <threads.h>

namespace {

int from_errno(int err) {
  switch (err) {
    case 0: return thrd_success;
    case ETIMEDOUT: return thrd_timedout;
    case EBUSY: return thrd_busy;
    case ENOMEM: return thrd_nomem;
    default: return thrd_error;
  }
}

// thrd_start_t returns int, a pthread start routine void*: the int travels
// in the pointer, as glibc's own thrd_create does.
struct Start {
  thrd_start_t func;
  void* arg;
};

void* run_start(void* p) {
  Start start = *static_cast<Start*>(p);
  delete static_cast<Start*>(p);
  return reinterpret_cast<void*>(static_cast<intptr_t>(start.func(start.arg)));
}


}  // namespace

extern "C" {

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  static_assert(sizeof(thrd_t) == sizeof(pthread_t));
  auto* start = new Start{func, arg};
  int err = pthread_create(reinterpret_cast<pthread_t*>(thr), nullptr, run_start, start);
  if (err != 0) delete start;
  return from_errno(err);
}

int thrd_join(thrd_t thr, int* res) {
  void* out = nullptr;
  int err = pthread_join(static_cast<pthread_t>(thr), &out);
  if (err == 0 && res) *res = static_cast<int>(reinterpret_cast<intptr_t>(out));
  return from_errno(err);
}

int thrd_detach(thrd_t thr) { return from_errno(pthread_detach(static_cast<pthread_t>(thr))); }

}  // extern "C"
