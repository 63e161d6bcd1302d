from django.db import models


class Named(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        abstract = True


class Category(Named):
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")


class Tag(Named):
    pass


class Product(Named):
    price = models.DecimalField(max_digits=10, decimal_places=2)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="products")
    tags = models.ManyToManyField(Tag, related_name="products")


class Customer(Named):
    pass


class Profile(models.Model):
    customer = models.OneToOneField(Customer, on_delete=models.CASCADE)
    email = models.CharField(max_length=200)


class Order(models.Model):
    customer = models.ForeignKey("shop.Customer", on_delete=models.CASCADE)
    number = models.IntegerField()

    class Meta:
        db_table = "shop_orders"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE)
    quantity = models.IntegerField(default=1)
