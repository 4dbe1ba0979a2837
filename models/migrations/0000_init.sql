CREATE TABLE "dispatch_decisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"recommendation_id" uuid NOT NULL,
	"work_order_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"actor_id" uuid,
	"engineer_id" uuid,
	"previous_engineer_id" uuid,
	"reason" text,
	"note" text,
	"features" jsonb,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dispatch_recommendations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"work_order_id" uuid NOT NULL,
	"candidates" jsonb NOT NULL,
	"excluded" jsonb NOT NULL,
	"weights" jsonb NOT NULL,
	"status" text NOT NULL,
	"offered_engineer_id" uuid,
	"declined_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"confirmed_by_id" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"inbox_id" bigint,
	"event_received_at" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE "chat_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"card_key" text NOT NULL,
	"recipient_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"message_ref" jsonb NOT NULL,
	"card" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"type" text NOT NULL,
	"ordering_key" text NOT NULL,
	"payload" jsonb NOT NULL,
	"payload_hash" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	"last_error" text,
	"outcome" jsonb
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"recipient_id" uuid NOT NULL,
	"card_key" text NOT NULL,
	"card" jsonb NOT NULL,
	"context" jsonb,
	"channel" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone NOT NULL,
	"lease_until" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"sent_at" timestamp with time zone,
	"last_error" text,
	"inbox_id" bigint
);
--> statement-breakpoint
CREATE TABLE "sandbox_messages" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"recipient_id" uuid NOT NULL,
	"card_key" text NOT NULL,
	"card" jsonb NOT NULL,
	"idempotency_key" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "sandbox_messages_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "okr_checkin_prompts" (
	"key_result_id" uuid NOT NULL,
	"week" date NOT NULL,
	"org_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"sent_at" timestamp with time zone NOT NULL,
	"answered_at" timestamp with time zone,
	CONSTRAINT "okr_checkin_prompts_key_result_id_week_pk" PRIMARY KEY("key_result_id","week")
);
--> statement-breakpoint
CREATE TABLE "okr_checkins" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"key_result_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"week" date NOT NULL,
	"confidence" integer NOT NULL,
	"comment" text,
	"value" double precision,
	"via" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "okr_key_results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"objective_id" uuid NOT NULL,
	"title" text NOT NULL,
	"metric" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"baseline" double precision DEFAULT 0 NOT NULL,
	"target" double precision NOT NULL,
	"current" double precision,
	"progress" double precision DEFAULT 0 NOT NULL,
	"weight" double precision DEFAULT 1 NOT NULL,
	"owner_id" uuid,
	"position" integer DEFAULT 0 NOT NULL,
	"computed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "okr_objectives" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"level" text NOT NULL,
	"title" text NOT NULL,
	"parent_id" uuid,
	"strategy_id" uuid NOT NULL,
	"region_id" uuid,
	"owner_id" uuid,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "okr_progress_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"key_result_id" uuid NOT NULL,
	"value" double precision,
	"progress" double precision NOT NULL,
	"cause" text NOT NULL,
	"work_order_id" uuid,
	"inbox_id" integer,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "okr_strategies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "okr_work_order_links" (
	"org_id" uuid NOT NULL,
	"work_order_id" uuid NOT NULL,
	"key_result_id" uuid NOT NULL,
	"strategy_id" uuid NOT NULL,
	"engineer_id" uuid,
	"linked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "okr_work_order_links_work_order_id_key_result_id_pk" PRIMARY KEY("work_order_id","key_result_id")
);
--> statement-breakpoint
CREATE TABLE "customers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"region_id" uuid,
	"address" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "organisations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"timezone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"locale" text DEFAULT 'zh-CN' NOT NULL,
	"dispatch_weights" jsonb,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organisations_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
CREATE TABLE "people" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"employee_no" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"region_id" uuid,
	"team" text,
	"manager_id" uuid,
	"mentor_id" uuid,
	"is_mentor" boolean DEFAULT false NOT NULL,
	"home_lat" double precision,
	"home_lng" double precision,
	"capacity" integer DEFAULT 5 NOT NULL,
	"on_duty" boolean DEFAULT true NOT NULL,
	"on_leave" boolean DEFAULT false NOT NULL,
	"wecom_user_id" text,
	"feishu_open_id" text,
	"feishu_user_id" text,
	"locale" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "person_skills" (
	"org_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"fault_type" text NOT NULL,
	"level" integer DEFAULT 3 NOT NULL,
	"certified" boolean DEFAULT false NOT NULL,
	CONSTRAINT "person_skills_person_id_fault_type_pk" PRIMARY KEY("person_id","fault_type")
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "app_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"via" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wecom_tasks" (
	"task_id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"card_key" text NOT NULL,
	"recipient_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"work_order_id" uuid NOT NULL,
	"engineer_id" uuid,
	"score" integer NOT NULL,
	"repurchase_intent" integer,
	"comment" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"extra" jsonb
);
--> statement-breakpoint
CREATE TABLE "work_order_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"work_order_id" uuid NOT NULL,
	"status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" uuid,
	"inbox_id" bigint,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"code" text NOT NULL,
	"customer_id" uuid NOT NULL,
	"region_id" uuid,
	"fault_type" text NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"description" text,
	"device_id" text,
	"status" text DEFAULT 'new' NOT NULL,
	"field_status" text,
	"offered_engineer_id" uuid,
	"assigned_engineer_id" uuid,
	"opened_at" timestamp with time zone NOT NULL,
	"accepted_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"cancelled_at" timestamp with time zone,
	"reopen_count" integer DEFAULT 0 NOT NULL,
	"first_time_fix" boolean,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_recommendation_id_dispatch_recommendations_id_fk" FOREIGN KEY ("recommendation_id") REFERENCES "public"."dispatch_recommendations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_actor_id_people_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_engineer_id_people_id_fk" FOREIGN KEY ("engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_decisions" ADD CONSTRAINT "dispatch_decisions_previous_engineer_id_people_id_fk" FOREIGN KEY ("previous_engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_recommendations" ADD CONSTRAINT "dispatch_recommendations_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_recommendations" ADD CONSTRAINT "dispatch_recommendations_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_recommendations" ADD CONSTRAINT "dispatch_recommendations_offered_engineer_id_people_id_fk" FOREIGN KEY ("offered_engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dispatch_recommendations" ADD CONSTRAINT "dispatch_recommendations_confirmed_by_id_people_id_fk" FOREIGN KEY ("confirmed_by_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
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
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "chat_messages" ADD CONSTRAINT "chat_messages_recipient_id_people_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inbox" ADD CONSTRAINT "inbox_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_recipient_id_people_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_messages" ADD CONSTRAINT "sandbox_messages_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sandbox_messages" ADD CONSTRAINT "sandbox_messages_recipient_id_people_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkin_prompts" ADD CONSTRAINT "okr_checkin_prompts_key_result_id_okr_key_results_id_fk" FOREIGN KEY ("key_result_id") REFERENCES "public"."okr_key_results"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkin_prompts" ADD CONSTRAINT "okr_checkin_prompts_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkin_prompts" ADD CONSTRAINT "okr_checkin_prompts_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkins" ADD CONSTRAINT "okr_checkins_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkins" ADD CONSTRAINT "okr_checkins_key_result_id_okr_key_results_id_fk" FOREIGN KEY ("key_result_id") REFERENCES "public"."okr_key_results"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_checkins" ADD CONSTRAINT "okr_checkins_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_key_results" ADD CONSTRAINT "okr_key_results_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_key_results" ADD CONSTRAINT "okr_key_results_objective_id_okr_objectives_id_fk" FOREIGN KEY ("objective_id") REFERENCES "public"."okr_objectives"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_key_results" ADD CONSTRAINT "okr_key_results_owner_id_people_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_objectives" ADD CONSTRAINT "okr_objectives_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_objectives" ADD CONSTRAINT "okr_objectives_strategy_id_okr_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."okr_strategies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_objectives" ADD CONSTRAINT "okr_objectives_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_objectives" ADD CONSTRAINT "okr_objectives_owner_id_people_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_progress_history" ADD CONSTRAINT "okr_progress_history_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_progress_history" ADD CONSTRAINT "okr_progress_history_key_result_id_okr_key_results_id_fk" FOREIGN KEY ("key_result_id") REFERENCES "public"."okr_key_results"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_progress_history" ADD CONSTRAINT "okr_progress_history_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_strategies" ADD CONSTRAINT "okr_strategies_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_work_order_links" ADD CONSTRAINT "okr_work_order_links_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_work_order_links" ADD CONSTRAINT "okr_work_order_links_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_work_order_links" ADD CONSTRAINT "okr_work_order_links_key_result_id_okr_key_results_id_fk" FOREIGN KEY ("key_result_id") REFERENCES "public"."okr_key_results"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_work_order_links" ADD CONSTRAINT "okr_work_order_links_strategy_id_okr_strategies_id_fk" FOREIGN KEY ("strategy_id") REFERENCES "public"."okr_strategies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "okr_work_order_links" ADD CONSTRAINT "okr_work_order_links_engineer_id_people_id_fk" FOREIGN KEY ("engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customers" ADD CONSTRAINT "customers_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "people" ADD CONSTRAINT "people_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_skills" ADD CONSTRAINT "person_skills_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_skills" ADD CONSTRAINT "person_skills_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "regions" ADD CONSTRAINT "regions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_sessions" ADD CONSTRAINT "app_sessions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_sessions" ADD CONSTRAINT "app_sessions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wecom_tasks" ADD CONSTRAINT "wecom_tasks_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wecom_tasks" ADD CONSTRAINT "wecom_tasks_recipient_id_people_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_engineer_id_people_id_fk" FOREIGN KEY ("engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_history" ADD CONSTRAINT "work_order_history_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_history" ADD CONSTRAINT "work_order_history_work_order_id_work_orders_id_fk" FOREIGN KEY ("work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_order_history" ADD CONSTRAINT "work_order_history_actor_id_people_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_offered_engineer_id_people_id_fk" FOREIGN KEY ("offered_engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_assigned_engineer_id_people_id_fk" FOREIGN KEY ("assigned_engineer_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dispatch_decisions_order" ON "dispatch_decisions" USING btree ("org_id","work_order_id","created_at");--> statement-breakpoint
CREATE INDEX "dispatch_decisions_kind" ON "dispatch_decisions" USING btree ("org_id","kind","created_at");--> statement-breakpoint
CREATE INDEX "dispatch_recommendations_order" ON "dispatch_recommendations" USING btree ("org_id","work_order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "development_records_source" ON "development_records" USING btree ("kind","source_id");--> statement-breakpoint
CREATE INDEX "development_records_person" ON "development_records" USING btree ("person_id","recorded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_requests_event_pair" ON "feedback_requests" USING btree ("org_id","event_key","giver_id","receiver_id");--> statement-breakpoint
CREATE INDEX "feedback_requests_open_due" ON "feedback_requests" USING btree ("due_at") WHERE "feedback_requests"."status" in ('requested', 'sent', 'reminded');--> statement-breakpoint
CREATE INDEX "feedback_requests_org_occurred" ON "feedback_requests" USING btree ("org_id","occurred_at");--> statement-breakpoint
CREATE INDEX "feedback_requests_giver" ON "feedback_requests" USING btree ("giver_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "job_runs_job_fire" ON "job_runs" USING btree ("job","fire_time");--> statement-breakpoint
CREATE UNIQUE INDEX "work_order_handoffs_org_code" ON "work_order_handoffs" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "work_order_handoffs_pending" ON "work_order_handoffs" USING btree ("accept_by") WHERE "work_order_handoffs"."checked_at" is null;--> statement-breakpoint
CREATE INDEX "work_order_slas_org" ON "work_order_slas" USING btree ("org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "chat_messages_card_key" ON "chat_messages" USING btree ("org_id","card_key");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_source_id" ON "inbox" USING btree ("org_id","source","source_id");--> statement-breakpoint
CREATE INDEX "inbox_pending" ON "inbox" USING btree ("id") WHERE "inbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "inbox_ordering_pending" ON "inbox" USING btree ("org_id","ordering_key","id") WHERE "inbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_due" ON "outbox" USING btree ("id") WHERE "outbox"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_card_unsent" ON "outbox" USING btree ("org_id","card_key","id") WHERE "outbox"."status" in ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "outbox_recipient_sent" ON "outbox" USING btree ("recipient_id","channel","sent_at");--> statement-breakpoint
CREATE INDEX "sandbox_messages_recipient" ON "sandbox_messages" USING btree ("recipient_id","created_at");--> statement-breakpoint
CREATE INDEX "okr_checkin_prompts_open" ON "okr_checkin_prompts" USING btree ("org_id","week") WHERE "okr_checkin_prompts"."answered_at" is null;--> statement-breakpoint
CREATE INDEX "okr_checkins_kr" ON "okr_checkins" USING btree ("key_result_id","created_at");--> statement-breakpoint
CREATE INDEX "okr_key_results_objective" ON "okr_key_results" USING btree ("objective_id","position");--> statement-breakpoint
CREATE INDEX "okr_key_results_org_metric" ON "okr_key_results" USING btree ("org_id","metric");--> statement-breakpoint
CREATE INDEX "okr_objectives_org_level" ON "okr_objectives" USING btree ("org_id","level");--> statement-breakpoint
CREATE INDEX "okr_objectives_owner" ON "okr_objectives" USING btree ("org_id","owner_id");--> statement-breakpoint
CREATE INDEX "okr_objectives_parent" ON "okr_objectives" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "okr_progress_history_kr" ON "okr_progress_history" USING btree ("key_result_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "okr_strategies_org_position" ON "okr_strategies" USING btree ("org_id","position");--> statement-breakpoint
CREATE INDEX "okr_work_order_links_engineer" ON "okr_work_order_links" USING btree ("org_id","engineer_id","linked_at");--> statement-breakpoint
CREATE UNIQUE INDEX "customers_org_code" ON "customers" USING btree ("org_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "people_org_employee_no" ON "people" USING btree ("org_id","employee_no");--> statement-breakpoint
CREATE UNIQUE INDEX "people_org_wecom" ON "people" USING btree ("org_id","wecom_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "people_org_feishu_open" ON "people" USING btree ("org_id","feishu_open_id");--> statement-breakpoint
CREATE UNIQUE INDEX "people_org_feishu_user" ON "people" USING btree ("org_id","feishu_user_id");--> statement-breakpoint
CREATE INDEX "people_org_region_role" ON "people" USING btree ("org_id","region_id","role");--> statement-breakpoint
CREATE INDEX "person_skills_org_fault" ON "person_skills" USING btree ("org_id","fault_type");--> statement-breakpoint
CREATE UNIQUE INDEX "regions_org_code" ON "regions" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "app_sessions_person" ON "app_sessions" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "app_sessions_expires" ON "app_sessions" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "wecom_tasks_card_key" ON "wecom_tasks" USING btree ("org_id","card_key");--> statement-breakpoint
CREATE UNIQUE INDEX "ratings_org_code" ON "ratings" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "ratings_engineer" ON "ratings" USING btree ("org_id","engineer_id","submitted_at");--> statement-breakpoint
CREATE INDEX "work_order_history_order" ON "work_order_history" USING btree ("work_order_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_org_code" ON "work_orders" USING btree ("org_id","code");--> statement-breakpoint
CREATE INDEX "work_orders_engineer_status" ON "work_orders" USING btree ("org_id","assigned_engineer_id","status");--> statement-breakpoint
CREATE INDEX "work_orders_offered_status" ON "work_orders" USING btree ("org_id","offered_engineer_id","status");--> statement-breakpoint
CREATE INDEX "work_orders_fault_resolved" ON "work_orders" USING btree ("org_id","fault_type","resolved_at","assigned_engineer_id","first_time_fix");--> statement-breakpoint
CREATE INDEX "work_orders_open" ON "work_orders" USING btree ("org_id","status","offered_engineer_id","assigned_engineer_id") WHERE "work_orders"."status" in ('offered', 'accepted', 'in_progress');