"""What a network needs to know about a channel's posts, kept on its connection (``ChannelConnection.settings``) and
given to the connector with each publication: for Pinterest, the board pins go on (``board_id``)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext as _

from harmonie.connectors import registry
from harmonie.connectors.base import ConnectorError
from harmonie.connectors.models import ChannelConnection, ConnectionStatus
from harmonie.connectors.pinterest import PinterestConnector
from harmonie.connectors.services.common import require_manage
from harmonie.connectors.services.tokens import credentials_for
from harmonie.core.audit import audit_record
from harmonie.core.errors import DomainError, NotFound, ValidationFailed
from harmonie.governance.models import Channel, Network
from harmonie.governance.permissions import Actor

BOARD_ID = "board_id"
_BOARD_RE = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def _account_boards(channel: Channel) -> set[str] | None:
    """The ids of the account's boards, asked of Pinterest; None when Pinterest cannot list them now (the id typed
    by hand is then kept as it is, and a wrong one fails the pins with Pinterest's answer)."""
    connector = registry.get(Network.PINTEREST)
    assert isinstance(connector, PinterestConnector)
    try:
        return {board.board_id for board in connector.boards(credentials_for(channel=channel))}
    except (ConnectorError, DomainError):
        return None


def connection_board_set(*, actor: Actor, channel: Channel, board_id: str) -> ChannelConnection:
    """The Pinterest board where the channel's pins go (one of the account's boards, by its id)."""
    require_manage(actor, channel)
    if channel.network != Network.PINTEREST:
        raise ValidationFailed(_("Only a Pinterest channel has a board."), field="board_id")
    board_id = (board_id or "").strip()
    if not _BOARD_RE.fullmatch(board_id):
        raise ValidationFailed(_("Choose one of the account's Pinterest boards."), field="board_id")
    listed = _account_boards(channel)
    if listed is not None and board_id not in listed:
        raise ValidationFailed(
            _("The board %(board)s is not one of this account's boards: choose one from the list.")
            % {"board": board_id},
            field="board_id",
        )
    with transaction.atomic():
        connection = ChannelConnection.objects.select_for_update().filter(channel=channel).first()
        if connection is None or connection.status == ConnectionStatus.DISCONNECTED:
            raise NotFound(_("Connect the channel first, then choose its board."))
        before = {"settings": dict(connection.settings or {})}
        connection.settings = {**(connection.settings or {}), BOARD_ID: board_id}
        connection.save(update_fields=["settings", "updated_at"])
        audit_record(
            organization_id=channel.organization_id, actor=actor.user, action="connection.settings", target=channel,
            before=before, after={"settings": connection.settings}, market_id=channel.owner_market_id,
        )  # fmt: skip
    return connection
