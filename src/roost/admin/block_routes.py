"""HTTP for the sign-up blocks: email domains and IP ranges. Every route needs the
matching ``admin:*:email_domain_blocks`` or ``admin:*:ip_blocks`` scope and a role that
may manage blocks (a moderator's may not)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from roost.accounts.roles import Permission
from roost.admin import email_domain_blocks, ip_blocks
from roost.admin.schemas import (
    AdminEmailDomainBlock,
    AdminIpBlock,
    AdminPageParams,
    EmailDomainBlockForm,
    IpBlockForm,
    admin_page_params,
)
from roost.core.http import JSON, json_response, params, parse_id
from roost.deps import ReadSession, RuntimeDep, Viewer, WriteSession, require_staff

router = APIRouter()


BLOCKS = Permission.MANAGE_BLOCKS
EmailReader = Annotated[Viewer, Depends(require_staff("admin:read:email_domain_blocks", BLOCKS))]
EmailWriter = Annotated[Viewer, Depends(require_staff("admin:write:email_domain_blocks", BLOCKS))]
IpReader = Annotated[Viewer, Depends(require_staff("admin:read:ip_blocks", BLOCKS))]
IpWriter = Annotated[Viewer, Depends(require_staff("admin:write:ip_blocks", BLOCKS))]
AdminPage = Annotated[AdminPageParams, Depends(admin_page_params)]
EMAIL_BLOCKS = "/api/v1/admin/email_domain_blocks"
IP_BLOCKS = "/api/v1/admin/ip_blocks"


@router.get(EMAIL_BLOCKS, response_model=list[AdminEmailDomainBlock])
async def list_email_domain_blocks(
    request: Request,
    _viewer: EmailReader,
    page: AdminPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> JSON:
    found = await email_domain_blocks.list_email_domain_blocks(session=session, page=page)
    return found.response(request, base_url=runtime.settings.base_url)


@router.get(EMAIL_BLOCKS + "/{block_id}", response_model=AdminEmailDomainBlock)
async def show_email_domain_block(
    block_id: str, _viewer: EmailReader, session: ReadSession
) -> JSON:
    return json_response(
        await email_domain_blocks.show_email_domain_block(
            session=session, block_id=parse_id(block_id)
        )
    )


@router.post(EMAIL_BLOCKS, response_model=AdminEmailDomainBlock)
async def block_email_domain(
    viewer: EmailWriter,
    form: Annotated[EmailDomainBlockForm, Depends(params(EmailDomainBlockForm))],
    session: WriteSession,
) -> JSON:
    return json_response(
        await email_domain_blocks.block_email_domain(
            session=session, actor=viewer.person, domain=form.domain
        )
    )


@router.delete(EMAIL_BLOCKS + "/{block_id}", response_model=dict[str, Any])
async def unblock_email_domain(block_id: str, viewer: EmailWriter, session: WriteSession) -> JSON:
    await email_domain_blocks.unblock_email_domain(
        session=session, actor=viewer.person, block_id=parse_id(block_id)
    )
    return json_response({})


@router.get(IP_BLOCKS, response_model=list[AdminIpBlock])
async def list_ip_blocks(
    request: Request, _viewer: IpReader, page: AdminPage, session: ReadSession, runtime: RuntimeDep
) -> JSON:
    found = await ip_blocks.list_ip_blocks(session=session, page=page)
    return found.response(request, base_url=runtime.settings.base_url)


@router.get(IP_BLOCKS + "/{block_id}", response_model=AdminIpBlock)
async def show_ip_block(block_id: str, _viewer: IpReader, session: ReadSession) -> JSON:
    return json_response(
        await ip_blocks.show_ip_block(session=session, block_id=parse_id(block_id))
    )


@router.post(IP_BLOCKS, response_model=AdminIpBlock)
async def create_ip_block(
    viewer: IpWriter,
    form: Annotated[IpBlockForm, Depends(params(IpBlockForm))],
    session: WriteSession,
) -> JSON:
    return json_response(
        await ip_blocks.create_ip_block(session=session, actor=viewer.person, form=form)
    )


@router.put(IP_BLOCKS + "/{block_id}", response_model=AdminIpBlock)
async def update_ip_block(
    block_id: str,
    viewer: IpWriter,
    form: Annotated[IpBlockForm, Depends(params(IpBlockForm))],
    session: WriteSession,
) -> JSON:
    return json_response(
        await ip_blocks.update_ip_block(
            session=session, actor=viewer.person, block_id=parse_id(block_id), form=form
        )
    )


@router.delete(IP_BLOCKS + "/{block_id}", response_model=dict[str, Any])
async def delete_ip_block(block_id: str, viewer: IpWriter, session: WriteSession) -> JSON:
    await ip_blocks.delete_ip_block(
        session=session, actor=viewer.person, block_id=parse_id(block_id)
    )
    return json_response({})
