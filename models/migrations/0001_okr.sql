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
ALTER TABLE "app_sessions" ADD CONSTRAINT "app_sessions_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "app_sessions" ADD CONSTRAINT "app_sessions_person_id_people_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."people"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
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
CREATE INDEX "app_sessions_person" ON "app_sessions" USING btree ("person_id");--> statement-breakpoint
CREATE INDEX "app_sessions_expires" ON "app_sessions" USING btree ("expires_at");