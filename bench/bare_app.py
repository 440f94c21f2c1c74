"""The product's app plus one bench-only route, for bench/intake.py's baseline (never part of the product).

`POST /api/bench/bare-insert` does the least an intake can: one INSERT of a request row (the same columns and
constraints as the product's) in one transaction, and a 201 with its tracking number. Under /api/, so
without CSRF checks, like the product's JSON API. Served by the same
gunicorn as the product's POST /api/v1/requests:

    gunicorn "bench.bare_app:create_app()"
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from flask import Blueprint, Flask, jsonify, request
from sqlalchemy import text

from webapp import create_app as create_product_app

INSERT = text(
    """
    INSERT INTO requests (tracking_number, access_code_hash, agency_id, channel, received_on, applicant_type,
        applicant_name, description, delivery, rules, status, due_on, due_provisional, extended_days,
        correction_requested, created_at, updated_at, version)
    SELECT :tn, :hash, a.id, 'online', :today, :atype, :name, :description, :delivery, '2019', 'received',
        :today, false, 0, false, :now, :now, 1
    FROM agencies a WHERE a.code = :agency
    RETURNING id
    """
)


def create_app() -> Flask:
    from webapp.extensions import db

    app = create_product_app()
    bp = Blueprint("bench", __name__)

    @bp.post("/api/bench/bare-insert")
    def bare_insert() -> Any:
        body = request.get_json()
        now = dt.datetime.now(dt.UTC)
        tn = "BENCH-" + uuid.uuid4().hex[:20]
        row = db.session.execute(
            INSERT,
            {
                "tn": tn,
                "hash": uuid.uuid4().hex,
                "today": now.date(),
                "now": now,
                "atype": body["applicant"]["type"],
                "name": body["applicant"]["name"],
                "description": body["description"],
                "delivery": body["delivery"],
                "agency": body["agency"],
            },
        ).first()
        db.session.commit()
        if row is None:
            return jsonify({"error": "unknown agency"}), 422
        return jsonify({"tracking_number": tn}), 201

    app.register_blueprint(bp)
    return app
