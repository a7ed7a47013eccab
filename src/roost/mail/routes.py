"""POST /api/v1/emails/confirmations: the confirmation mail again, for the app that
registered the account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from roost.core.http import JSON, json_response, params
from roost.deps import RuntimeDep, Viewer, WriteSession, awaiting_confirmation
from roost.mail import service
from roost.mail.schemas import ConfirmationForm

router = APIRouter()


@router.post("/api/v1/emails/confirmations")
async def resend_confirmation(
    viewer: Annotated[Viewer, Depends(awaiting_confirmation)],
    form: Annotated[ConfirmationForm, Depends(params(ConfirmationForm))],
    session: WriteSession,
    runtime: RuntimeDep,
) -> JSON:
    await service.resend_confirmation(
        session=session,
        runtime=runtime,
        account_id=viewer.person_id,
        app_id=viewer.app_id,
        email=form.email,
    )
    return json_response({})
