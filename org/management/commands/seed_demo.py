from django.core.management.base import BaseCommand

from org.demo import DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    help = "Load the demo organisation with 12 months of scores and known passwords (idempotent)."

    def handle(self, *args, **options):
        rows = seed_demo()
        self.stdout.write(f"Demo logins (password for everyone: {DEMO_PASSWORD})")
        self.stdout.write(f"{'login':<12} {'name':<6} {'roles':<36} {'level':<20} next level")
        for r in rows:
            self.stdout.write(
                f"{r['username']:<12} {r['name']:<6} {r['roles']:<36} {r['level']:<20} {r['next']}"
            )
