-- The schema of send-monitor 0.1.0 (git c15505e, meta.schema_version 1) on postgresql:
-- frozen here so that tests can make a store as the previous release did.

CREATE TABLE alert_events (
	id SERIAL NOT NULL,
	duty VARCHAR NOT NULL,
	subject VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	event_on DATE NOT NULL,
	check_id INTEGER NOT NULL,
	as_of DATE NOT NULL,
	area VARCHAR NOT NULL,
	owner VARCHAR NOT NULL,
	case_ref VARCHAR,
	status VARCHAR NOT NULL,
	due_on DATE,
	days_late INTEGER NOT NULL,
	recipients JSON,
	unaddressed JSON,
	run_id INTEGER,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (id),
	CONSTRAINT uq_alert_event UNIQUE (duty, subject, kind, event_on)
);

CREATE TABLE appeals (
	created_batch INTEGER,
	updated_batch INTEGER,
	appeal_id VARCHAR NOT NULL,
	area_code VARCHAR NOT NULL,
	case_ref VARCHAR NOT NULL,
	decision_type VARCHAR NOT NULL,
	decision_date DATE NOT NULL,
	registered_on DATE NOT NULL,
	health_issue BOOLEAN NOT NULL,
	social_care_issue BOOLEAN NOT NULL,
	la_response_due_on DATE,
	la_response_sent_on DATE,
	hearing_on DATE,
	status VARCHAR NOT NULL,
	closed_on DATE,
	PRIMARY KEY (appeal_id)
);

CREATE INDEX ix_appeals_area_code ON appeals (area_code);

CREATE INDEX ix_appeals_created_batch ON appeals (created_batch);

CREATE INDEX ix_appeals_updated_batch ON appeals (updated_batch);

CREATE TABLE areas (
	created_batch INTEGER,
	updated_batch INTEGER,
	area_code VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	region VARCHAR,
	send_team_email VARCHAR,
	rights_published_on DATE,
	PRIMARY KEY (area_code)
);

CREATE INDEX ix_areas_created_batch ON areas (created_batch);

CREATE INDEX ix_areas_updated_batch ON areas (updated_batch);

CREATE TABLE audit_log (
	id SERIAL NOT NULL,
	batch_id INTEGER NOT NULL,
	record_type VARCHAR NOT NULL,
	record_key VARCHAR NOT NULL,
	"column" VARCHAR NOT NULL,
	old_value VARCHAR,
	new_value VARCHAR,
	PRIMARY KEY (id)
);

CREATE INDEX ix_audit_log_batch_id ON audit_log (batch_id);

CREATE INDEX ix_audit_log_record_key ON audit_log (record_key);

CREATE TABLE check_runs (
	id SERIAL NOT NULL,
	as_of DATE NOT NULL,
	started_at TIMESTAMP WITH TIME ZONE NOT NULL,
	finished_at TIMESTAMP WITH TIME ZONE,
	mode VARCHAR NOT NULL,
	last_batch INTEGER NOT NULL,
	rule_versions JSON,
	evaluated INTEGER NOT NULL,
	counts JSON,
	PRIMARY KEY (id)
);

CREATE TABLE commissioners (
	created_batch INTEGER,
	updated_batch INTEGER,
	commissioner_code VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	contact_email VARCHAR,
	PRIMARY KEY (commissioner_code)
);

CREATE INDEX ix_commissioners_created_batch ON commissioners (created_batch);

CREATE INDEX ix_commissioners_updated_batch ON commissioners (updated_batch);

CREATE TABLE decisions (
	created_batch INTEGER,
	updated_batch INTEGER,
	decision_id VARCHAR NOT NULL,
	area_code VARCHAR NOT NULL,
	case_ref VARCHAR NOT NULL,
	decision_type VARCHAR NOT NULL,
	decision_date DATE NOT NULL,
	rights_notice BOOLEAN,
	PRIMARY KEY (decision_id)
);

CREATE INDEX ix_decisions_area_code ON decisions (area_code);

CREATE INDEX ix_decisions_created_batch ON decisions (created_batch);

CREATE INDEX ix_decisions_updated_batch ON decisions (updated_batch);

CREATE TABLE evidence (
	created_batch INTEGER,
	updated_batch INTEGER,
	appeal_id VARCHAR NOT NULL,
	commissioner_code VARCHAR NOT NULL,
	la_contacted_on DATE,
	evidence_due_on DATE,
	evidence_provided_on DATE,
	attendance_required BOOLEAN,
	attended BOOLEAN,
	PRIMARY KEY (appeal_id, commissioner_code)
);

CREATE INDEX ix_evidence_created_batch ON evidence (created_batch);

CREATE INDEX ix_evidence_updated_batch ON evidence (updated_batch);

CREATE TABLE finding_history (
	id SERIAL NOT NULL,
	check_id INTEGER NOT NULL,
	as_of DATE NOT NULL,
	duty VARCHAR NOT NULL,
	subject VARCHAR NOT NULL,
	area VARCHAR NOT NULL,
	owner VARCHAR NOT NULL,
	old_status VARCHAR,
	new_status VARCHAR NOT NULL,
	due_on DATE,
	done_on DATE,
	days_late INTEGER NOT NULL,
	reason VARCHAR,
	rule_version VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_finding_history_check_id ON finding_history (check_id);

CREATE INDEX ix_history_finding ON finding_history (duty, subject);

CREATE TABLE findings (
	duty VARCHAR NOT NULL,
	subject VARCHAR NOT NULL,
	record_key VARCHAR NOT NULL,
	area VARCHAR NOT NULL,
	owner VARCHAR NOT NULL,
	case_ref VARCHAR,
	status VARCHAR NOT NULL,
	due_on DATE,
	done_on DATE,
	days_late INTEGER NOT NULL,
	reason VARCHAR,
	rule_version VARCHAR NOT NULL,
	rule_row INTEGER NOT NULL,
	as_of DATE NOT NULL,
	status_since DATE NOT NULL,
	check_id INTEGER NOT NULL,
	PRIMARY KEY (duty, subject)
);

CREATE INDEX ix_findings_area ON findings (area);

CREATE INDEX ix_findings_area_status ON findings (area, status);

CREATE INDEX ix_findings_duty_key ON findings (duty, record_key);

CREATE INDEX ix_findings_duty_status ON findings (duty, status);

CREATE INDEX ix_findings_owner ON findings (owner);

CREATE TABLE funding_claims (
	created_batch INTEGER,
	updated_batch INTEGER,
	claim_id VARCHAR NOT NULL,
	appeal_id VARCHAR NOT NULL,
	claimant_code VARCHAR NOT NULL,
	category VARCHAR NOT NULL,
	amount_gbp NUMERIC(14, 2) NOT NULL,
	claimed_on DATE NOT NULL,
	PRIMARY KEY (claim_id)
);

CREATE INDEX ix_funding_claims_appeal_id ON funding_claims (appeal_id);

CREATE INDEX ix_funding_claims_created_batch ON funding_claims (created_batch);

CREATE INDEX ix_funding_claims_updated_batch ON funding_claims (updated_batch);

CREATE TABLE import_batches (
	id SERIAL NOT NULL,
	source VARCHAR NOT NULL,
	started_at TIMESTAMP WITH TIME ZONE NOT NULL,
	finished_at TIMESTAMP WITH TIME ZONE,
	counts JSON,
	PRIMARY KEY (id)
);

CREATE TABLE meta (
	key VARCHAR NOT NULL,
	value VARCHAR NOT NULL,
	PRIMARY KEY (key)
);

CREATE TABLE outbox (
	id SERIAL NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	run_id INTEGER,
	check_id INTEGER,
	recipient VARCHAR NOT NULL,
	recipient_code VARCHAR NOT NULL,
	subject VARCHAR NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL,
	message_id VARCHAR NOT NULL,
	items INTEGER NOT NULL,
	status VARCHAR NOT NULL,
	attempts INTEGER NOT NULL,
	last_error VARCHAR,
	sent_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id)
);

CREATE INDEX ix_outbox_recipient ON outbox (recipient);

CREATE INDEX ix_outbox_status ON outbox (status);

CREATE TABLE process_locks (
	name VARCHAR NOT NULL,
	token VARCHAR NOT NULL,
	host VARCHAR NOT NULL,
	pid INTEGER NOT NULL,
	proc_start VARCHAR,
	acquired_at TIMESTAMP WITH TIME ZONE NOT NULL,
	heartbeat TIMESTAMP WITH TIME ZONE NOT NULL,
	PRIMARY KEY (name)
);

CREATE TABLE recommendations (
	created_batch INTEGER,
	updated_batch INTEGER,
	recommendation_id VARCHAR NOT NULL,
	appeal_id VARCHAR NOT NULL,
	commissioner_code VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	made_on DATE NOT NULL,
	plan_section VARCHAR,
	PRIMARY KEY (recommendation_id)
);

CREATE INDEX ix_recommendations_appeal_id ON recommendations (appeal_id);

CREATE INDEX ix_recommendations_created_batch ON recommendations (created_batch);

CREATE INDEX ix_recommendations_updated_batch ON recommendations (updated_batch);

CREATE TABLE recorded_exceptions (
	created_batch INTEGER,
	updated_batch INTEGER,
	exception_id VARCHAR NOT NULL,
	duty VARCHAR NOT NULL,
	subject_id VARCHAR NOT NULL,
	granted_by VARCHAR NOT NULL,
	justification VARCHAR NOT NULL,
	granted_on DATE NOT NULL,
	expires_on DATE NOT NULL,
	PRIMARY KEY (exception_id)
);

CREATE INDEX ix_recorded_exceptions_created_batch ON recorded_exceptions (created_batch);

CREATE INDEX ix_recorded_exceptions_updated_batch ON recorded_exceptions (updated_batch);

CREATE TABLE responses (
	created_batch INTEGER,
	updated_batch INTEGER,
	recommendation_id VARCHAR NOT NULL,
	sent_to_family_on DATE,
	sent_to_la_on DATE,
	outcome VARCHAR,
	steps_given BOOLEAN,
	reasons_given BOOLEAN,
	exception VARCHAR,
	sent_to_evaluators_on DATE,
	PRIMARY KEY (recommendation_id)
);

CREATE INDEX ix_responses_created_batch ON responses (created_batch);

CREATE INDEX ix_responses_updated_batch ON responses (updated_batch);

CREATE TABLE runs (
	id SERIAL NOT NULL,
	cycle VARCHAR,
	step VARCHAR NOT NULL,
	trigger VARCHAR NOT NULL,
	as_of DATE,
	started_at TIMESTAMP WITH TIME ZONE NOT NULL,
	finished_at TIMESTAMP WITH TIME ZONE,
	outcome VARCHAR NOT NULL,
	counts JSON,
	detail TEXT,
	host VARCHAR,
	pid INTEGER,
	PRIMARY KEY (id)
);

CREATE INDEX ix_runs_cycle ON runs (cycle);
