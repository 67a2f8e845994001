// C11 threads (<threads.h>) on top of pthreads, linked only into the
// ThreadSanitizer build (LOGPIPE_TSAN) of the logpipe binary and the tests.
//
// Why: librdkafka runs its threads with C11's thrd_create and locks with
// mtx_* / cnd_*. glibc implements those by calling its pthread functions
// internally, past the interceptors of GCC 12's TSan runtime, so a thread
// librdkafka starts has no TSan state (its first malloc crashes: "SEGV in
// SizeClassAllocator64LocalCache::Allocate" on an "rdk:" thread) and its
// locks are invisible, so what its threads hand to ours through its queues
// (a partition list for the rebalance callback) looks racy. Defined here in
// the executable, these take precedence over glibc's for librdkafka and call
// the pthread functions TSan intercepts. glibc's mtx_t and cnd_t are unions
// holding a pthread_mutex_t and a pthread_cond_t, so the casts below are what
// glibc itself does.
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

pthread_mutex_t* native(mtx_t* m) { return reinterpret_cast<pthread_mutex_t*>(m); }
pthread_cond_t* native(cnd_t* c) { return reinterpret_cast<pthread_cond_t*>(c); }

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

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  int err = pthread_mutex_init(native(m), &attr);
  pthread_mutexattr_destroy(&attr);
  return from_errno(err);
}
int mtx_lock(mtx_t* m) { return from_errno(pthread_mutex_lock(native(m))); }
int mtx_trylock(mtx_t* m) { return from_errno(pthread_mutex_trylock(native(m))); }
int mtx_timedlock(mtx_t* m, const struct timespec* until) {
  return from_errno(pthread_mutex_timedlock(native(m), until));
}
int mtx_unlock(mtx_t* m) { return from_errno(pthread_mutex_unlock(native(m))); }
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy(native(m)); }

int cnd_init(cnd_t* c) { return from_errno(pthread_cond_init(native(c), nullptr)); }
int cnd_signal(cnd_t* c) { return from_errno(pthread_cond_signal(native(c))); }
int cnd_broadcast(cnd_t* c) { return from_errno(pthread_cond_broadcast(native(c))); }
int cnd_wait(cnd_t* c, mtx_t* m) { return from_errno(pthread_cond_wait(native(c), native(m))); }
int cnd_timedwait(cnd_t* c, mtx_t* m, const struct timespec* until) {
  return from_errno(pthread_cond_timedwait(native(c), native(m), until));
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy(native(c)); }

}  // extern "C"
