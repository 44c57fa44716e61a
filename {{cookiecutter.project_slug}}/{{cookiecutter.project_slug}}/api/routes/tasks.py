"""`POST /api/v1/tasks/orders`: queues the example background job."""

from fastapi import APIRouter, Request, status
from pydantic import BaseModel

from {{ cookiecutter.project_slug }}.worker.enqueue import enqueue_order

router = APIRouter()


class OrderJob(BaseModel):
    order_id: str
    email: str
    fail: bool = False


@router.post("/orders", status_code=status.HTTP_202_ACCEPTED)
async def queue_order(job: OrderJob, request: Request) -> dict[str, str]:
    """The job's events carry the user who queued it (none when anonymous)."""
    user_id = request.user.identity if request.user.is_authenticated else None
    task_id = await enqueue_order(job.order_id, job.email, job.fail, user_id=user_id)
    return {"task_id": task_id}
