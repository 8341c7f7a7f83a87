CREATE TABLE `servers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`host` text NOT NULL,
	`port` integer DEFAULT 22 NOT NULL,
	`username` text NOT NULL,
	`auth_method` text NOT NULL,
	`key_path` text,
	`secret_ref` text,
	`host_key_fingerprint` text,
	`host_key_algorithm` text,
	`jump_host_ids_json` text DEFAULT '[]' NOT NULL,
	`labels_json` text DEFAULT '[]' NOT NULL,
	`last_probe_json` text,
	`last_probe_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `servers_name_unique` ON `servers` (`name`);