CREATE TABLE `migration_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`migration_id` text NOT NULL,
	`at` integer NOT NULL,
	`level` text NOT NULL,
	`message` text NOT NULL,
	FOREIGN KEY (`migration_id`) REFERENCES `migrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `migration_log_by_migration` ON `migration_log` (`migration_id`,`id`);--> statement-breakpoint
CREATE TABLE `migration_steps` (
	`migration_id` text NOT NULL,
	`seq` integer NOT NULL,
	`step_id` text NOT NULL,
	`title` text NOT NULL,
	`status` text NOT NULL,
	`intent_json` text DEFAULT '{}' NOT NULL,
	`result_json` text,
	`error` text,
	`started_at` integer,
	`ended_at` integer,
	PRIMARY KEY(`migration_id`, `seq`),
	FOREIGN KEY (`migration_id`) REFERENCES `migrations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `migrations` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`project_id` text,
	`source_environment_id` text,
	`target_environment_id` text NOT NULL,
	`status` text NOT NULL,
	`plan_json` text NOT NULL,
	`options_json` text DEFAULT '{}' NOT NULL,
	`rollback_of` text,
	`job_id` text,
	`engine_instance` text,
	`message` text,
	`error_code` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`ended_at` integer
);
