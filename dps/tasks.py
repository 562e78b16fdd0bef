"""Tasks take ids, call a service, and have one effect however often they run."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from .models import IdempotencyKey
from .services import emails

# What a task retries (with backoff and a maximum; nothing else is retried: a bug or bad data
# fails at once): the database, Redis or the broker unreachable or restarting, and network
# and disk errors. OSError covers ConnectionError, TimeoutError and smtplib.SMTPException.
TRANSIENT_ERRORS = (
    OperationalError,
    InterfaceError,
    OSError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerError,
)


# Each send task's id names its claim on the emails: redelivered after its worker died (late
# acknowledgement), the task takes back at once the emails it had claimed and not sent.
@shared_task(name="dps.tasks.email_send", ignore_result=True, bind=True)
def email_send_task(self, email_id):
    # A failed send is recorded on the row with its next attempt time; the sweep retries it,
    # so no long countdown sits in the broker.
    emails.email_send(email_id=email_id, claim_token=self.request.id)


@shared_task(name="dps.tasks.emails_send", ignore_result=True, bind=True)
def emails_send_task(self, email_ids):
    # A batch through one SMTP connection; as for one email, each failure is recorded on its
    # row and the sweep retries it.
    emails.emails_send(email_ids=email_ids, claim_token=self.request.id)


@shared_task(name="dps.tasks.emails_sweep", ignore_result=True)
def emails_sweep():
    return emails.emails_sweep()


@shared_task(name="dps.tasks.idempotency_keys_purge", ignore_result=True)
def idempotency_keys_purge():
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
