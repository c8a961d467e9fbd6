"""The schema of send-monitor 0.1.0 (`meta.schema_version` 1), the baseline.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('event_on', sa.Date(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('area', sa.String(), nullable=False),
    sa.Column('owner', sa.String(), nullable=False),
    sa.Column('case_ref', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('recipients', sa.JSON(), nullable=True),
    sa.Column('unaddressed', sa.JSON(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('duty', 'subject', 'kind', 'event_on', name='uq_alert_event')
    )
    op.create_table('appeals',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('appeal_id', sa.String(), nullable=False),
    sa.Column('area_code', sa.String(), nullable=False),
    sa.Column('case_ref', sa.String(), nullable=False),
    sa.Column('decision_type', sa.String(), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('health_issue', sa.Boolean(), nullable=False),
    sa.Column('social_care_issue', sa.Boolean(), nullable=False),
    sa.Column('la_response_due_on', sa.Date(), nullable=True),
    sa.Column('la_response_sent_on', sa.Date(), nullable=True),
    sa.Column('hearing_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('appeal_id')
    )
    op.create_index(op.f('ix_appeals_area_code'), 'appeals', ['area_code'], unique=False)
    op.create_index(op.f('ix_appeals_created_batch'), 'appeals', ['created_batch'], unique=False)
    op.create_index(op.f('ix_appeals_updated_batch'), 'appeals', ['updated_batch'], unique=False)
    op.create_table('areas',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('area_code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('region', sa.String(), nullable=True),
    sa.Column('send_team_email', sa.String(), nullable=True),
    sa.Column('rights_published_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('area_code')
    )
    op.create_index(op.f('ix_areas_created_batch'), 'areas', ['created_batch'], unique=False)
    op.create_index(op.f('ix_areas_updated_batch'), 'areas', ['updated_batch'], unique=False)
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('record_type', sa.String(), nullable=False),
    sa.Column('record_key', sa.String(), nullable=False),
    sa.Column('column', sa.String(), nullable=False),
    sa.Column('old_value', sa.String(), nullable=True),
    sa.Column('new_value', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_audit_log_batch_id'), 'audit_log', ['batch_id'], unique=False)
    op.create_index(op.f('ix_audit_log_record_key'), 'audit_log', ['record_key'], unique=False)
    op.create_table('check_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mode', sa.String(), nullable=False),
    sa.Column('last_batch', sa.Integer(), nullable=False),
    sa.Column('rule_versions', sa.JSON(), nullable=True),
    sa.Column('evaluated', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('commissioners',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('commissioner_code', sa.String(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('contact_email', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('commissioner_code')
    )
    op.create_index(op.f('ix_commissioners_created_batch'), 'commissioners', ['created_batch'], unique=False)
    op.create_index(op.f('ix_commissioners_updated_batch'), 'commissioners', ['updated_batch'], unique=False)
    op.create_table('decisions',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('decision_id', sa.String(), nullable=False),
    sa.Column('area_code', sa.String(), nullable=False),
    sa.Column('case_ref', sa.String(), nullable=False),
    sa.Column('decision_type', sa.String(), nullable=False),
    sa.Column('decision_date', sa.Date(), nullable=False),
    sa.Column('rights_notice', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('decision_id')
    )
    op.create_index(op.f('ix_decisions_area_code'), 'decisions', ['area_code'], unique=False)
    op.create_index(op.f('ix_decisions_created_batch'), 'decisions', ['created_batch'], unique=False)
    op.create_index(op.f('ix_decisions_updated_batch'), 'decisions', ['updated_batch'], unique=False)
    op.create_table('evidence',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('appeal_id', sa.String(), nullable=False),
    sa.Column('commissioner_code', sa.String(), nullable=False),
    sa.Column('la_contacted_on', sa.Date(), nullable=True),
    sa.Column('evidence_due_on', sa.Date(), nullable=True),
    sa.Column('evidence_provided_on', sa.Date(), nullable=True),
    sa.Column('attendance_required', sa.Boolean(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('appeal_id', 'commissioner_code')
    )
    op.create_index(op.f('ix_evidence_created_batch'), 'evidence', ['created_batch'], unique=False)
    op.create_index(op.f('ix_evidence_updated_batch'), 'evidence', ['updated_batch'], unique=False)
    op.create_table('finding_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('duty', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('area', sa.String(), nullable=False),
    sa.Column('owner', sa.String(), nullable=False),
    sa.Column('old_status', sa.String(), nullable=True),
    sa.Column('new_status', sa.String(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('rule_version', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_finding_history_check_id'), 'finding_history', ['check_id'], unique=False)
    op.create_index('ix_history_finding', 'finding_history', ['duty', 'subject'], unique=False)
    op.create_table('findings',
    sa.Column('duty', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('record_key', sa.String(), nullable=False),
    sa.Column('area', sa.String(), nullable=False),
    sa.Column('owner', sa.String(), nullable=False),
    sa.Column('case_ref', sa.String(), nullable=True),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(), nullable=True),
    sa.Column('rule_version', sa.String(), nullable=False),
    sa.Column('rule_row', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('duty', 'subject')
    )
    op.create_index(op.f('ix_findings_area'), 'findings', ['area'], unique=False)
    op.create_index('ix_findings_area_status', 'findings', ['area', 'status'], unique=False)
    op.create_index('ix_findings_duty_key', 'findings', ['duty', 'record_key'], unique=False)
    op.create_index('ix_findings_duty_status', 'findings', ['duty', 'status'], unique=False)
    op.create_index(op.f('ix_findings_owner'), 'findings', ['owner'], unique=False)
    op.create_table('funding_claims',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.String(), nullable=False),
    sa.Column('appeal_id', sa.String(), nullable=False),
    sa.Column('claimant_code', sa.String(), nullable=False),
    sa.Column('category', sa.String(), nullable=False),
    sa.Column('amount_gbp', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('claimed_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('claim_id')
    )
    op.create_index(op.f('ix_funding_claims_appeal_id'), 'funding_claims', ['appeal_id'], unique=False)
    op.create_index(op.f('ix_funding_claims_created_batch'), 'funding_claims', ['created_batch'], unique=False)
    op.create_index(op.f('ix_funding_claims_updated_batch'), 'funding_claims', ['updated_batch'], unique=False)
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('meta',
    sa.Column('key', sa.String(), nullable=False),
    sa.Column('value', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('check_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(), nullable=False),
    sa.Column('recipient_code', sa.String(), nullable=False),
    sa.Column('subject', sa.String(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('message_id', sa.String(), nullable=False),
    sa.Column('items', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_outbox_recipient'), 'outbox', ['recipient'], unique=False)
    op.create_index(op.f('ix_outbox_status'), 'outbox', ['status'], unique=False)
    op.create_table('process_locks',
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('token', sa.String(), nullable=False),
    sa.Column('host', sa.String(), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('proc_start', sa.String(), nullable=True),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('recommendations',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('recommendation_id', sa.String(), nullable=False),
    sa.Column('appeal_id', sa.String(), nullable=False),
    sa.Column('commissioner_code', sa.String(), nullable=False),
    sa.Column('kind', sa.String(), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('plan_section', sa.String(), nullable=True),
    sa.PrimaryKeyConstraint('recommendation_id')
    )
    op.create_index(op.f('ix_recommendations_appeal_id'), 'recommendations', ['appeal_id'], unique=False)
    op.create_index(op.f('ix_recommendations_created_batch'), 'recommendations', ['created_batch'], unique=False)
    op.create_index(op.f('ix_recommendations_updated_batch'), 'recommendations', ['updated_batch'], unique=False)
    op.create_table('recorded_exceptions',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('exception_id', sa.String(), nullable=False),
    sa.Column('duty', sa.String(), nullable=False),
    sa.Column('subject_id', sa.String(), nullable=False),
    sa.Column('granted_by', sa.String(), nullable=False),
    sa.Column('justification', sa.String(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('exception_id')
    )
    op.create_index(op.f('ix_recorded_exceptions_created_batch'), 'recorded_exceptions', ['created_batch'], unique=False)
    op.create_index(op.f('ix_recorded_exceptions_updated_batch'), 'recorded_exceptions', ['updated_batch'], unique=False)
    op.create_table('responses',
    sa.Column('created_batch', sa.Integer(), nullable=True),
    sa.Column('updated_batch', sa.Integer(), nullable=True),
    sa.Column('recommendation_id', sa.String(), nullable=False),
    sa.Column('sent_to_family_on', sa.Date(), nullable=True),
    sa.Column('sent_to_la_on', sa.Date(), nullable=True),
    sa.Column('outcome', sa.String(), nullable=True),
    sa.Column('steps_given', sa.Boolean(), nullable=True),
    sa.Column('reasons_given', sa.Boolean(), nullable=True),
    sa.Column('exception', sa.String(), nullable=True),
    sa.Column('sent_to_evaluators_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('recommendation_id')
    )
    op.create_index(op.f('ix_responses_created_batch'), 'responses', ['created_batch'], unique=False)
    op.create_index(op.f('ix_responses_updated_batch'), 'responses', ['updated_batch'], unique=False)
    op.create_table('runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle', sa.String(), nullable=True),
    sa.Column('step', sa.String(), nullable=False),
    sa.Column('trigger', sa.String(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('host', sa.String(), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_runs_cycle'), 'runs', ['cycle'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_runs_cycle'), table_name='runs')
    op.drop_table('runs')
    op.drop_index(op.f('ix_responses_updated_batch'), table_name='responses')
    op.drop_index(op.f('ix_responses_created_batch'), table_name='responses')
    op.drop_table('responses')
    op.drop_index(op.f('ix_recorded_exceptions_updated_batch'), table_name='recorded_exceptions')
    op.drop_index(op.f('ix_recorded_exceptions_created_batch'), table_name='recorded_exceptions')
    op.drop_table('recorded_exceptions')
    op.drop_index(op.f('ix_recommendations_updated_batch'), table_name='recommendations')
    op.drop_index(op.f('ix_recommendations_created_batch'), table_name='recommendations')
    op.drop_index(op.f('ix_recommendations_appeal_id'), table_name='recommendations')
    op.drop_table('recommendations')
    op.drop_table('process_locks')
    op.drop_index(op.f('ix_outbox_status'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_recipient'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_table('meta')
    op.drop_table('import_batches')
    op.drop_index(op.f('ix_funding_claims_updated_batch'), table_name='funding_claims')
    op.drop_index(op.f('ix_funding_claims_created_batch'), table_name='funding_claims')
    op.drop_index(op.f('ix_funding_claims_appeal_id'), table_name='funding_claims')
    op.drop_table('funding_claims')
    op.drop_index(op.f('ix_findings_owner'), table_name='findings')
    op.drop_index('ix_findings_duty_status', table_name='findings')
    op.drop_index('ix_findings_duty_key', table_name='findings')
    op.drop_index('ix_findings_area_status', table_name='findings')
    op.drop_index(op.f('ix_findings_area'), table_name='findings')
    op.drop_table('findings')
    op.drop_index('ix_history_finding', table_name='finding_history')
    op.drop_index(op.f('ix_finding_history_check_id'), table_name='finding_history')
    op.drop_table('finding_history')
    op.drop_index(op.f('ix_evidence_updated_batch'), table_name='evidence')
    op.drop_index(op.f('ix_evidence_created_batch'), table_name='evidence')
    op.drop_table('evidence')
    op.drop_index(op.f('ix_decisions_updated_batch'), table_name='decisions')
    op.drop_index(op.f('ix_decisions_created_batch'), table_name='decisions')
    op.drop_index(op.f('ix_decisions_area_code'), table_name='decisions')
    op.drop_table('decisions')
    op.drop_index(op.f('ix_commissioners_updated_batch'), table_name='commissioners')
    op.drop_index(op.f('ix_commissioners_created_batch'), table_name='commissioners')
    op.drop_table('commissioners')
    op.drop_table('check_runs')
    op.drop_index(op.f('ix_audit_log_record_key'), table_name='audit_log')
    op.drop_index(op.f('ix_audit_log_batch_id'), table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index(op.f('ix_areas_updated_batch'), table_name='areas')
    op.drop_index(op.f('ix_areas_created_batch'), table_name='areas')
    op.drop_table('areas')
    op.drop_index(op.f('ix_appeals_updated_batch'), table_name='appeals')
    op.drop_index(op.f('ix_appeals_created_batch'), table_name='appeals')
    op.drop_index(op.f('ix_appeals_area_code'), table_name='appeals')
    op.drop_table('appeals')
    op.drop_table('alert_events')
