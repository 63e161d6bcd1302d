"""Each customer's e-mail and number of orders: a reverse one-to-one and the default reverse accessor."""
import django_env  # noqa: F401

from shop.models import Customer


def main():
    for customer in Customer.objects.order_by("name"):
        print(customer.name, customer.profile.email, customer.order_set.count())


if __name__ == "__main__":
    main()
