CREATE TABLE "wecom_tasks" (
	"task_id" text PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"card_key" text NOT NULL,
	"recipient_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "wecom_tasks" ADD CONSTRAINT "wecom_tasks_org_id_organisations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wecom_tasks" ADD CONSTRAINT "wecom_tasks_recipient_id_people_id_fk" FOREIGN KEY ("recipient_id") REFERENCES "public"."people"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "wecom_tasks_card_key" ON "wecom_tasks" USING btree ("org_id","card_key");