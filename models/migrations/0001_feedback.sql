CREATE TABLE "development_records" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"source_id" uuid NOT NULL,
	"giver_id" uuid,
	"rule" text,
	"work_order_id" uuid,
	"fact" text NOT NULL,
	"impact" text NOT NULL,
	"suggestion" text NOT NULL,
	"assessment" text,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"event_key" text NOT NULL,
	"giver_id" uuid NOT NULL,
	"receiver_id" uuid NOT NULL,
	"work_order_id" uuid,
	"team_id" uuid,
	"facts" jsonb NOT NULL,
	"status" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"reminded_24_at" timestamp with time zone,
	"reminded_4_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"assessment" text,
	"assessed_at" timestamp with time zone,
	"submitted_via" text,
	"expired_at" timestamp with time zone,
	"escalated_at" timestamp with time zone,
	"escalated_to_id" uuid,
	"form_token" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback_rule_settings" (
	"org_id" uuid NOT NULL,
	"rule" text NOT NULL,
	"enabled" boolean,
	"threshold" double precision,
	"giver" text,
	"receiver" text,
	"due_hours" double precision,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "feedback_rule_settings_org_id_rule_pk" PRIMARY KEY("org_id","rule")
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"fire_time" timestamp with time zone NOT NULL,
	"trigger" text NOT NULL,
	"instance" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"result" jsonb,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "work_order_handoffs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"work_order_id" uuid NOT NULL,
	"from_region_id" uuid NOT NULL,
	"to_region_id" uuid NOT NULL,
	"requested_by_id" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"accept_by" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"accepted_by_id" uuid,
	"checked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "work_order_slas" (
	"work_order_id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"respond_by" timestamp with time zone,
	"resolve_by" timestamp with time zone,
	"respond_checked_at" timestamp with time zone,
	"resolve_checked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "development_records" ADD CONSTRAINT "development_records_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "development_records" ADD CONSTRAINT "development_records_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "development_records" ADD CONSTRAINT "development_records_giver_id_people_id_fk" FOREIGN KEY ("giver_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "development_records" ADD CONSTRAINT "development_records_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_giver_id_people_id_fk" FOREIGN KEY ("giver_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_receiver_id_people_id_fk" FOREIGN KEY ("receiver_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_team_id_regions_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_requests" ADD CONSTRAINT "feedback_requests_escalated_to_id_people_id_fk" FOREIGN KEY ("escalated_to_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback_rule_settings" ADD CONSTRAINT "feedback_rule_settings_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_from_region_id_regions_id_fk" FOREIGN KEY ("from_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_to_region_id_regions_id_fk" FOREIGN KEY ("to_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_requested_by_id_people_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_handoffs" ADD CONSTRAINT "work_order_handoffs_accepted_by_id_people_id_fk" FOREIGN KEY ("accepted_by_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_slas" ADD CONSTRAINT "work_order_slas_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_slas" ADD CONSTRAINT "work_order_slas_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "development_records_source" ON "development_records" USING btree ("kind","source_id");--> statement-breakpoint
CREATE INDEX "development_records_person" ON "development_records" USING btree ("person_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_requests_event_pair" ON "feedback_requests" USING btree ("org_id","event_key","giver_id","receiver_id");--> statement-breakpoint
CREATE INDEX "feedback_requests_open_due" ON "feedback_requests" USING btree ("due_at") WHERE "feedback_requests"."status" in ('requested', 'sent', 'reminded');--> statement-breakpoint
CREATE INDEX "feedback_requests_org_occurred" ON "feedback_requests" USING btree ("org_id","occurred_at");--> statement-breakpoint
CREATE INDEX "feedback_requests_giver" ON "feedback_requests" USING btree ("giver_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_job_fire" ON "job_runs" USING btree ("job","fire_time");--> statement-breakpoint
CREATE UNIQUE INDEX "work_order_handoffs_org_code" ON "work_order_handoffs" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "work_order_handoffs_pending" ON "work_order_handoffs" USING btree ("accept_by") WHERE "work_order_handoffs"."checked_at" is null;--> statement-breakpoint
CREATE INDEX "work_order_slas_org" ON "work_order_slas" USING btree ("org_id");