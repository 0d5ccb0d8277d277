"""contrib/celery/cordon_celery.py - cordon runs as Celery tasks.

A Celery worker on a node calls that node's own ``cordon serve`` (through
the Python binding, ``$CORDON_SOCKET``): the sandbox is made by the node
that runs the task, and Celery (with Redis as broker and result backend)
only carries the request and the result. Nothing here is a cluster of
cordon's own.

Routing is by policy: ``submit(code, policy="strict")`` sends the task to
the queue ``cordon.strict``; a worker serves the policies it was started
for (``celery -A cordon_celery worker -Q cordon.default,cordon.strict``),
so nodes can be given the policies their kernels and limits suit.

Delivery is at least once, never lost silently:

- ``acks_late`` with ``task_reject_on_worker_lost``: a task is acknowledged
  only after it finished; if the process running it dies (killed, out of
  memory) the message goes back to the queue and another worker runs it;
  if the whole worker dies, Redis gives the message to another after
  ``visibility_timeout`` (``$CORDON_CELERY_VISIBILITY``, seconds);
- a service that refuses for now (503: stopped, queue full; 429: the
  caller's rate) is retried with backoff, up to ``max_retries``, then the
  task fails with that error, which the caller's ``AsyncResult`` shows.

A run may therefore happen twice when a worker dies after the sandbox
started: cordon runs are meant to be repeatable (no network but the
policy's, outputs collected per run), and the result's ``caller`` and the
incident log say which run was which.

Environment: ``CORDON_CELERY_BROKER`` and ``CORDON_CELERY_BACKEND``
(default ``redis://127.0.0.1:6379/0``), ``CORDON_SOCKET`` (the node's
service).
"""
import os

from celery import Celery

import cordon

BROKER = os.environ.get("CORDON_CELERY_BROKER", "redis://127.0.0.1:6379/0")
BACKEND = os.environ.get("CORDON_CELERY_BACKEND", BROKER)

app = Celery("cordon", broker=BROKER, backend=BACKEND)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    broker_transport_options={"visibility_timeout": int(os.environ.get("CORDON_CELERY_VISIBILITY", "3600"))},
    result_extended=True,
    task_track_started=True,
)


def queue_for(policy):
    """The queue of a policy: ``cordon.NAME``."""
    if not policy or not all(c.isalnum() or c in "-_" for c in policy):
        raise ValueError("policy: expected a policy NAME (letters, digits, '-', '_')")
    return "cordon." + policy


@app.task(name="cordon.execute", bind=True, acks_late=True, reject_on_worker_lost=True,
          autoretry_for=(cordon.ServiceUnavailable, cordon.RateLimited), retry_backoff=True,
          retry_backoff_max=60, retry_jitter=True, max_retries=8)
def execute(self, code, policy="default", input=None, tighten=None):
    """Run ``code`` under ``policy`` on this node's cordon serve; the
    result as the binding's ``Result.to_dict()`` (JSON)."""
    ex = cordon.Executor(socket=os.environ.get("CORDON_SOCKET"))
    kw = {"policy": policy}
    if input is not None:
        kw["input"] = input
    if tighten:
        kw["tighten"] = cordon.Tighten(**tighten)
    result = ex.execute(code, **kw)
    out = result.to_dict()
    out["celery"] = {"task_id": self.request.id, "hostname": self.request.hostname,
                     "retries": self.request.retries}
    return out


def submit(code, policy="default", **kw):
    """Send a run to the queue of its policy; an ``AsyncResult``."""
    return execute.apply_async(args=(code,), kwargs=dict(kw, policy=policy), queue=queue_for(policy))
