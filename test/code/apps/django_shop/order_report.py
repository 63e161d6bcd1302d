"""The quantities of each order: one more query per order for order.items.all()."""
import django_env  # noqa: F401

from shop.models import Order


def main():
    orders = Order.objects.filter(number__gte=0).order_by("number")
    for order in orders:
        print(order.number, sum(item.quantity for item in order.items.all()))


if __name__ == "__main__":
    main()
