"""Background work of monitoring visits: the daily scheduling of each service's next visit."""

from celery import shared_task


@shared_task(name="monitoring.tasks_visits.visits_schedule_daily", ignore_result=True)
def visits_schedule_daily():
    from .services.visits import visits_schedule_all

    return visits_schedule_all()
